//go:build unix

package exporter

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"codebench/codesets"
	"codebench/encounter"
	"codebench/encounter/fhir"
	"codebench/encounter/queue/dirqueue"
	"codebench/encounter/store"
	"codebench/encounter/store/sqlite"
)

// The crash test runs the workload below in two child processes at once
// (this test binary again, sharing one store file and one queue
// directory), kills them with SIGKILL, then reopens the store and the
// queue directory and checks that nothing acknowledged was lost and
// nothing was exported twice or half. Two rounds stop the children at the
// exact steps of an export where a crash hurts most (after the store
// records the start, after the queue has the file); the others kill them
// at random moments, which lands in SQLite commits, queue writes and
// fsyncs.

const (
	crashProcs      = 2
	crashWorkers    = 3 // goroutines (coder sessions) per process
	crashSlots      = crashProcs * crashWorkers
	crashEncounters = 2 * crashSlots
	// Rounds: at least crashMinRounds (both stage rounds and two random
	// kills), more while the test is under crashBudget.
	crashMinRounds = 4
	crashMaxRounds = 8
	crashBudget    = 5 * time.Second
	envChild       = "CODEBENCH_CRASH_CHILD"
)

func crashID(i int) string { return fmt.Sprintf("C%02d", i) }

// crashCoder is the coder working encounter i, in every round, so a
// lease left by a killed child is taken over, not waited out. Each coder
// (slot) is one goroutine of one process.
func crashCoder(i int) string { return fmt.Sprintf("worker-%d", i%crashSlots) }

// unitsOf and chargeOf make a draft's content a function of its revision,
// so the parent can tell a stored draft is the one acknowledged, whole.
func unitsOf(rev int) int    { return 1 + rev%4 }
func chargeOf(rev int) int64 { return 10000 + int64(rev) }
func wantLine(rev int) (int, int64) {
	if rev == 0 {
		return 1, 12500 // as imported
	}
	return unitsOf(rev), chargeOf(rev)
}

// TestMain runs the crash test's child workload when this binary was
// started as that child, and the tests otherwise.
func TestMain(m *testing.M) {
	if os.Getenv(envChild) != "" {
		proc, _ := strconv.Atoi(os.Getenv("CRASH_PROC"))
		crashWorkload(os.Getenv("CRASH_DB"), os.Getenv("CRASH_QUEUE"), os.Getenv("CRASH_STAGE"), os.Getenv("CRASH_SEED"), proc)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// crashWorkload codes and exports until killed, printing an ACK line for
// every draft and export the store or queue acknowledged.
func crashWorkload(dbPath, queueDir, stopAt, seed string, proc int) {
	die := func(err error) {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		os.Exit(3) // not a kill: the parent fails the test
	}
	st, err := sqlite.Open(dbPath)
	if err != nil {
		die(err)
	}
	q, err := dirqueue.Open(queueDir)
	if err != nil {
		die(err)
	}
	set, err := codesets.Embedded()
	if err != nil {
		die(err)
	}
	var out sync.Mutex
	ack := func(format string, a ...any) {
		out.Lock()
		fmt.Fprintf(os.Stdout, "ACK "+format+"\n", a...) // one write(2) per line
		out.Unlock()
	}
	var stages sync.Mutex
	reached := 0
	stage := func(s string) {
		stages.Lock()
		defer stages.Unlock()
		if s == stopAt {
			if reached++; reached == 2 {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
			}
		}
	}
	n, _ := strconv.Atoi(seed)
	ack("ready")
	var wg sync.WaitGroup
	for w := range crashWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slot := proc*crashWorkers + w
			rng := rand.New(rand.NewPCG(uint64(n), uint64(slot)))
			x := &Exporter{Store: st, Queue: q, Codes: set, Coder: crashCoder(slot), stage: stage}
			for {
				i := slot + crashSlots*rng.IntN(crashEncounters/crashSlots)
				if err := crashStep(st, x, crashID(i), rng, ack); err != nil {
					die(err)
				}
			}
		}()
	}
	wg.Wait()
}

// crashStep is one coder's visit to an encounter: finish an unfinished
// export, reopen an exported one, save a few drafts, maybe export.
func crashStep(st *sqlite.Store, x *Exporter, id string, rng *rand.Rand, ack func(string, ...any)) error {
	// A new session of the coder: it takes over the lease a killed child
	// or an earlier step left.
	l, err := st.TakeOver(ctx, id, x.Coder, time.Minute)
	if err != nil {
		return err
	}
	enc, sum, err := st.Get(ctx, id)
	if err != nil {
		return err
	}
	if sum.PendingExport != "" {
		res, err := x.ExportLeased(ctx, l)
		if err != nil {
			return err
		}
		ack("export %s %s", id, res.Key)
		enc, sum, err = st.Get(ctx, id)
		if err != nil {
			return err
		}
	}
	if sum.Status == store.Exported {
		if err := st.SetStatus(ctx, l, store.Rejected, "crash test: billing sent it back"); err != nil {
			return err
		}
	}
	for range 1 + rng.IntN(4) {
		next := enc.Revision + 1
		enc.Lines[0].Units, enc.Lines[0].Charge = unitsOf(next), chargeOf(next)
		if err := st.SaveDraft(ctx, l, enc.Revision, enc, "autosave"); err != nil {
			return err
		}
		if enc.Revision != next {
			return fmt.Errorf("%s: saved as revision %d, expected %d", id, enc.Revision, next)
		}
		ack("draft %s %d", id, next)
	}
	if rng.IntN(2) == 0 {
		res, err := x.ExportLeased(ctx, l)
		if err != nil {
			return err
		}
		ack("export %s %s", id, res.Key)
	}
	if rng.IntN(3) == 0 {
		return st.Release(ctx, l)
	}
	return nil
}

// acks collects the child's acknowledgements.
type acks struct {
	mu      sync.Mutex
	drafts  map[string]int             // highest acknowledged revision
	exports map[string]map[string]bool // keys acknowledged per encounter
	n       struct{ drafts, exports int }
}

// read records the child's ACK lines; each draft or export also goes to
// acked (never blocking), so the parent can kill after an amount of work
// rather than of time.
func (a *acks) read(r io.Reader, ready, acked chan struct{}) {
	sc := bufio.NewScanner(r)
	once := sync.Once{}
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || f[0] != "ACK" {
			continue
		}
		a.mu.Lock()
		switch {
		case f[1] == "ready":
			once.Do(func() { close(ready) })
		case f[1] == "draft" && len(f) == 4:
			rev, _ := strconv.Atoi(f[3])
			a.drafts[f[2]] = max(a.drafts[f[2]], rev)
			a.n.drafts++
			tell(acked)
		case f[1] == "export" && len(f) == 4:
			if a.exports[f[2]] == nil {
				a.exports[f[2]] = map[string]bool{}
			}
			a.exports[f[2]][f[3]] = true
			a.n.exports++
			tell(acked)
		}
		a.mu.Unlock()
	}
}

func tell(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

func TestCrashKillAnywhere(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills child processes")
	}
	dir := t.TempDir()
	dbPath, queueDir := filepath.Join(dir, "work.db"), filepath.Join(dir, "billing")
	st, err := sqlite.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	for i := range crashEncounters {
		if err := st.Add(ctx, claim(crashID(i))); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	a := &acks{drafts: map[string]int{}, exports: map[string]map[string]bool{}}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	var stats crashStats
	start, rounds := time.Now(), 0
	for round := range crashMaxRounds {
		// Past the minimum, more rounds only while time allows, and while
		// no export has been acknowledged yet (a slow machine).
		if round >= crashMinRounds && (time.Since(start) > crashBudget || round >= crashMinRounds+2) && a.n.exports > 0 {
			break
		}
		rounds++
		stopAt := ""
		switch round {
		case 0:
			stopAt = "published" // the queue has it, the store does not know yet
		case 1:
			stopAt = "begun" // the store knows, the queue does not have it
		}
		var wg sync.WaitGroup
		for proc := range crashProcs {
			// Killed after an amount of work, then a jitter: anywhere in
			// an operation, on a fast machine or a loaded one.
			k := kill{afterAcks: 1 + rng.IntN(20), jitter: time.Duration(rng.IntN(15000)) * time.Microsecond}
			wg.Add(1)
			go func() {
				defer wg.Done()
				runChild(t, a, dbPath, queueDir, stopAt, round, proc, k)
			}()
		}
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
		stats.add(verifyAfterCrash(t, dbPath, queueDir, a, false))
	}
	stats.add(verifyAfterCrash(t, dbPath, queueDir, a, true))
	t.Logf("%d rounds: %d drafts and %d exports acknowledged; found after kills: %d unfinished exports (%d already in the queue), %d half-written queue files (never *.json)",
		rounds, a.n.drafts, a.n.exports, stats.pending, stats.pendingInQueue, len(stats.temps))
	if a.n.drafts == 0 || a.n.exports == 0 {
		t.Fatal("the child did no work before being killed")
	}
}

// runChild runs one child process until it is killed. It runs on its own
// goroutine, so it reports with t.Errorf.
// kill is when the parent kills a child: after it acknowledged afterAcks
// drafts or exports, and jitter more.
type kill struct {
	afterAcks int
	jitter    time.Duration
}

func runChild(t *testing.T, a *acks, dbPath, queueDir, stopAt string, round, proc int, k kill) {
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.count=1")
	cmd.Env = append(os.Environ(), envChild+"=1", "CRASH_DB="+dbPath, "CRASH_QUEUE="+queueDir,
		"CRASH_STAGE="+stopAt, "CRASH_SEED="+strconv.Itoa(round), "CRASH_PROC="+strconv.Itoa(proc))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Error(err)
		return
	}
	if err := cmd.Start(); err != nil {
		t.Error(err)
		return
	}
	ready, done, acked := make(chan struct{}), make(chan struct{}), make(chan struct{}, 4096)
	go func() { a.read(stdout, ready, acked); close(done) }()
	// Whatever happens, the child dies within the time limit.
	limit := time.AfterFunc(20*time.Second, func() { cmd.Process.Signal(syscall.SIGKILL) })
	defer limit.Stop()
	select {
	case <-ready:
		if stopAt == "" { // else the child kills itself at the stage
			waitForAcks(acked, done, k.afterAcks)
			time.Sleep(k.jitter)
			cmd.Process.Signal(syscall.SIGKILL)
		}
	case <-done: // exited before it was ready
	}
	<-done // stdout closed: every ACK the child wrote is read
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Errorf("round %d, child %d ended with %v: %s", round, proc, err, stderr.String())
		return
	}
	if ws, ok := exit.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Errorf("round %d, child %d failed instead of being killed (%v):\n%s", round, proc, err, stderr.String())
	}
}

// waitForAcks waits for n acknowledgements, or for the child to end.
func waitForAcks(acked, done chan struct{}, n int) {
	for range n {
		select {
		case <-acked:
		case <-done:
			return
		}
	}
}

type crashStats struct {
	pending, pendingInQueue int
	temps                   map[string]bool // distinct half-written queue files seen
}

func (s *crashStats) add(o crashStats) {
	s.pending += o.pending
	s.pendingInQueue += o.pendingInQueue
	if s.temps == nil {
		s.temps = map[string]bool{}
	}
	for k := range o.temps {
		s.temps[k] = true
	}
}

// verifyAfterCrash checks the store and queue left by a killed child; with
// repair it first finishes unfinished exports and then demands exact
// agreement.
func verifyAfterCrash(t *testing.T, dbPath, queueDir string, a *acks, repair bool) crashStats {
	t.Helper()
	stats := crashStats{temps: map[string]bool{}}
	st, err := sqlite.Open(dbPath)
	if err != nil {
		t.Fatalf("reopening the store after a kill: %v", err)
	}
	defer st.Close()
	q, err := dirqueue.Open(queueDir)
	if err != nil {
		t.Fatal(err)
	}
	if repair {
		set, _ := codesets.Embedded()
		for i := range crashEncounters {
			id := crashID(i)
			if _, sum, _ := st.Get(ctx, id); sum.PendingExport != "" {
				// The killed child's session left its lease: take it over.
				x := &Exporter{Store: st, Queue: q, Codes: set, Coder: crashCoder(i), TakeOver: true}
				if _, err := x.Export(ctx, id); err != nil {
					t.Fatalf("finishing %s: %v", id, err)
				}
			}
		}
	}

	// Every file in the queue is a whole claim named after its revision.
	files := map[string]map[string]bool{} // encounter -> keys
	entries, err := os.ReadDir(queueDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		switch {
		case name == dirqueue.SentDir:
			continue
		case strings.HasPrefix(name, ".tmp-") && !strings.HasSuffix(name, ".json"):
			stats.temps[name] = true
			continue
		case !strings.HasSuffix(name, ".json"):
			t.Fatalf("unexpected file in the queue: %s", name)
		}
		data, err := os.ReadFile(filepath.Join(queueDir, name))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := fhir.Summarize(data)
		if err != nil || fhir.Validate(data) != nil {
			t.Fatalf("%s is not a whole claim: %v", name, err)
		}
		key := strings.TrimSuffix(name, ".json")
		cut := strings.LastIndex(key, "-r")
		id := doc.EncounterID
		rev, _ := strconv.Atoi(key[cut+2:])
		if doc.Key != key || encounter.ExportKey(id, rev) != key {
			t.Fatalf("%s holds the claim of %s revision %d", name, id, rev)
		}
		if units, charge := wantLine(rev); doc.Items[0].Units.String() != strconv.Itoa(units) || doc.Items[0].Net.String() != encounter.Cents(charge).String() {
			t.Fatalf("%s: line 1 is %s units %s dollars, revision %d had %d and %d cents", name, doc.Items[0].Units, doc.Items[0].Net, rev, units, charge)
		}
		if files[id] == nil {
			files[id] = map[string]bool{}
		}
		files[id][key] = true
	}

	a.mu.Lock()
	defer a.mu.Unlock()
	for i := range crashEncounters {
		id := crashID(i)
		enc, sum, err := st.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		// No acknowledged draft is lost, and the stored one is whole.
		if sum.Revision < a.drafts[id] {
			t.Fatalf("%s: revision %d acknowledged, store has %d", id, a.drafts[id], sum.Revision)
		}
		if units, charge := wantLine(sum.Revision); enc.Lines[0].Units != units || enc.Lines[0].Charge != charge || enc.Revision != sum.Revision {
			t.Fatalf("%s revision %d: stored draft is not that revision's content: %+v", id, sum.Revision, enc.Lines[0])
		}
		// The store's record of exports and the queue agree: every
		// confirmed export is in the queue once, and every file in the
		// queue is confirmed or is the one unfinished export.
		audit, err := st.Audit(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		confirmed := map[string]bool{}
		for _, e := range audit {
			if e.Action != "export" || !strings.HasPrefix(e.Detail, "exported to the billing queue as ") {
				continue
			}
			key, _, _ := strings.Cut(strings.TrimPrefix(e.Detail, "exported to the billing queue as "), " ")
			if confirmed[key] {
				t.Fatalf("%s: export %s confirmed twice", id, key)
			}
			confirmed[key] = true
			if !files[id][key] {
				t.Fatalf("%s: export %s confirmed but not in the queue", id, key)
			}
		}
		for key := range a.exports[id] {
			if !confirmed[key] {
				t.Fatalf("%s: export %s acknowledged but not recorded", id, key)
			}
		}
		for key := range files[id] {
			if !confirmed[key] && key != sum.PendingExport {
				t.Fatalf("%s: %s is in the queue but neither confirmed nor pending (pending %q)", id, key, sum.PendingExport)
			}
		}
		if sum.PendingExport != "" {
			if repair {
				t.Fatalf("%s: still pending after repair", id)
			}
			stats.pending++
			if files[id][sum.PendingExport] {
				stats.pendingInQueue++
			}
			if sum.PendingExport != encounter.ExportKey(id, sum.Revision) {
				t.Fatalf("%s: pending %s, revision %d", id, sum.PendingExport, sum.Revision)
			}
		}
		if sum.Status == store.Exported && sum.ExportKey != encounter.ExportKey(id, sum.Revision) {
			t.Fatalf("%s: exported as %s at revision %d", id, sum.ExportKey, sum.Revision)
		}
	}
	for id := range files {
		if !strings.HasPrefix(id, "C") {
			t.Fatalf("claim for unknown encounter %s", id)
		}
	}
	return stats
}
