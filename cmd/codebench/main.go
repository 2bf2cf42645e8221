// Command codebench is a terminal coding workbench for professional medical
// coders. Run without arguments it opens the workbench on the demo data;
// the subcommands serve scripts and administrators.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// command is one subcommand. run returns the process exit code.
type command struct {
	name    string
	args    string
	summary string
	run     func(ctx context.Context, env *env, args []string) int
}

// env carries the process's streams so commands are testable.
type env struct {
	stdout, stderr io.Writer
	stdin          io.Reader
}

// notice reports something codebench did on its own, such as tightening
// the permissions of a file holding patient data.
func (e *env) notice(msg string) { fmt.Fprintf(e.stderr, "codebench: %s\n", msg) }

func (e *env) errorf(format string, a ...any) int {
	fmt.Fprintf(e.stderr, "codebench: "+format+"\n", a...)
	return 1
}

func commands() []command {
	return []command{
		{"serve", "[--addr HOST:PORT] [flags]", "serve the workbench over SSH to many coders (ssh -p 2222 HOST)", runServe},
		{"code", "[--json] [--dos DATE] CODE", "print a code as the release in force on the date of service has it: titles, billable flag, every note", runCode},
		{"cpt", "import FILE", "import your licensed CPT descriptor file into the data directory", runCPT},
		{"data", "import|status|remove", "load official ICD-10-CM, HCPCS and NCCI/MUE/add-on/PFS/MCE files without a new build; list releases and what is out of date", runData},
		{"search", "[--system S] [--billable] [--dos DATE] [--json] [-n 20] QUERY", "search the code sets (ICD-10-CM, HCPCS, CPT) by words, shorthand or code prefix, as of a date of service", runSearch},
		{"index", "build", "rebuild the cached search index", runIndex},
		{"eval", "[--json] [FILE...]", "score search: recall@1/5/10 and MRR on a query set (QUERY<TAB>CODES) or CodiEsp cases", runEval},
		{"bench", "[--no-build] [--queries N] [--json] | ssh [--sessions N] [--rate K] [--capacity]", "measure index build and open time, query latency (p50/p99) and memory; ssh: keystroke-to-frame, CPU per key and sessions per core of serve", runBench},
		{"import", "[--store PATH] DIR", "move an inbox directory's encounter files into the work store", runImport},
		{"validate", "[--json] FILE|DIR...", "check encounter files against the claim edits (exit 1: error edits, 2: unreadable)", runValidate},
		{"export", "[--store PATH] [--queue SPEC] ID", "export a coded encounter to the billing queue (exit 1: error edits, 3: spooled, not delivered)", runExport},
		{"store", "init|migrate|backup", "work store: the PostgreSQL schema; copy a SQLite store into it; back a live SQLite store up", runStore},
		{"fees", "import [--version V] FILE | show [CODE...]", "import the practice's fee schedule (CSV: code, modifier, amount, effective dates, payer) that fills line charges", runFees},
		{"reopen", "(--replace|--void) --claim-number N --reason TEXT ID", "reopen an exported claim as a replacement (frequency 7) or void (8) of it", runReopen},
		{"queue", "status|drain", "billing queue (--queue SPEC): spooled and delivered counts; drain forwards the spool", runQueue},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, &env{stdout: os.Stdout, stderr: os.Stderr, stdin: os.Stdin}, os.Args[1:])
	stop()
	os.Exit(code)
}

func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		return runWorkbench(ctx, e, args)
	}
	switch args[0] {
	case "-h", "--help", "help":
		usage(e.stdout)
		fmt.Fprintln(e.stdout)
		// The workbench's own flags, printed by its flag set.
		workbenchFlags(&env{stdout: e.stdout, stderr: e.stdout, stdin: e.stdin}, []string{"-h"})
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	if args[0] != "" && args[0][0] == '-' {
		return runWorkbench(ctx, e, args)
	}
	usage(e.stderr)
	return e.errorf("unknown command %q", args[0])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: codebench [COMMAND] [ARGS]")
	fmt.Fprintln(w, "\nWithout a command, codebench opens the workbench on the demo inbox (codebench -h lists its flags).")
	fmt.Fprintln(w, "\nCommands:")
	width := 0
	for _, c := range commands() {
		width = max(width, len(c.name)+1+len(c.args))
	}
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.name+" "+c.args, c.summary)
	}
}
