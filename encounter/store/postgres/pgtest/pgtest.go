// Package pgtest runs a throwaway PostgreSQL cluster for tests: initdb in
// a temporary directory (as an unprivileged user when the tests run as
// root, since initdb and postgres refuse root), a server listening on a
// unix socket only, and one new database per test. One cluster serves a
// whole test binary: call Main from TestMain so it is removed afterwards.
//
// The binaries are found through $CODEBENCH_PG_BIN, then PATH, then
// /usr/lib/postgresql/N/bin (Debian), newest first. Without them a test
// skips with a message saying how to install them, except with CI set,
// where it fails: CI never skips.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"codebench/internal/tlstest"
)

// Roles every database is set up for: the owner runs migrations and owns
// the tables; the application role only has the privileges granted to it.
const (
	Superuser = "postgres"
	OwnerRole = "codebench_owner"
	AppRole   = "codebench_app"
)

// Cluster is a running throwaway PostgreSQL server.
type Cluster struct {
	Dir    string // data directory and socket directory live under it
	Socket string // directory of the unix socket
	Bin    string // directory of initdb and postgres
	// Port serves TCP on 127.0.0.1 with TLS (and names the socket file).
	Port int
	// CA is the PEM file of the authority that signed the server's
	// certificate (for 127.0.0.1 and localhost).
	CA     string
	cmd    *exec.Cmd
	exited chan struct{}
	next   atomic.Int64
	// version is the server's major version (SHOW server_version_num / 10000).
	version int
}

var (
	once    sync.Once
	shared  *Cluster
	initErr error
)

// Main runs the tests, then stops and removes the shared cluster if a
// test started it. Use it as TestMain's body: os.Exit(pgtest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	if shared != nil {
		shared.Stop()
	}
	return code
}

// Require returns the shared cluster, starting it on first use. Without
// PostgreSQL it skips the test, or fails it when CI is set.
func Require(t testing.TB) *Cluster {
	t.Helper()
	once.Do(func() { shared, initErr = Start() })
	if initErr != nil {
		if errors.Is(initErr, ErrNoPostgres) && os.Getenv("CI") == "" {
			t.Skipf("%v", initErr)
		}
		t.Fatalf("pgtest: %v", initErr)
	}
	return shared
}

// ErrNoPostgres: no PostgreSQL binaries on this machine.
var ErrNoPostgres = errors.New("PostgreSQL is not installed (apt-get install postgresql, or set CODEBENCH_PG_BIN to the directory of initdb and postgres); .ci/run installs it")

// FindBin returns the directory holding initdb and postgres.
func FindBin() (string, error) {
	if dir := os.Getenv("CODEBENCH_PG_BIN"); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err != nil {
			return "", fmt.Errorf("CODEBENCH_PG_BIN=%q: %w", dir, err)
		}
		return dir, nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	if len(dirs) == 0 {
		return "", ErrNoPostgres
	}
	return filepath.Dir(dirs[0]), nil
}

func version(initdb string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return n
}

// Start creates and starts a cluster. The server runs until Stop; if the
// test process dies first, the kernel stops it (parent-death signal).
func Start() (*Cluster, error) {
	bin, err := FindBin()
	if err != nil {
		return nil, err
	}
	// A short path: a unix socket path must stay under 108 bytes.
	dir, err := os.MkdirTemp("", "cbpg")
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: dir, Socket: dir, Bin: bin, exited: make(chan struct{})}
	if err := c.start(); err != nil {
		c.Stop()
		return nil, err
	}
	return c, nil
}

// runAs is the user the server runs as: this process's own, or nobody's
// when this process is root.
func runAs() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("nobody")
	if err != nil {
		return nil, fmt.Errorf("running as root, and no unprivileged user to run PostgreSQL as: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func (c *Cluster) start() error {
	cred, err := runAs()
	if err != nil {
		return err
	}
	data := filepath.Join(c.Dir, "data")
	if cred != nil {
		if err := os.Chown(c.Dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return err
		}
	}
	initdb := exec.Command(filepath.Join(c.Bin, "initdb"), "-D", data, "-U", Superuser, "--auth=trust",
		"--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	initdb.Dir = c.Dir
	if out, err := initdb.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %v\n%s", err, out)
	}
	// TLS on 127.0.0.1, to test verified connections; the tests' own
	// connections use the socket.
	certs, err := tlstest.Write(c.Dir)
	if err != nil {
		return err
	}
	c.CA = certs.CA
	if cred != nil {
		for _, f := range []string{certs.ServerCert, certs.ServerKey} {
			if err := os.Chown(f, int(cred.Uid), int(cred.Gid)); err != nil {
				return err
			}
		}
	}
	if c.Port, err = freePort(); err != nil {
		return err
	}
	args := []string{"-D", data, "-k", c.Socket, "-p", strconv.Itoa(c.Port), "-c", "listen_addresses=127.0.0.1",
		"-c", "ssl=on", "-c", "ssl_cert_file=" + certs.ServerCert, "-c", "ssl_key_file=" + certs.ServerKey,
		"-c", "max_connections=300", "-c", "shared_buffers=32MB", "-c", "log_min_messages=fatal"}
	if os.Getenv("CODEBENCH_PG_DURABLE") == "" {
		// Durability is not what the tests are about: no fsync. Benchmarks
		// comparing with SQLite (which fsyncs every commit) set
		// CODEBENCH_PG_DURABLE=1.
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	c.cmd = exec.Command(filepath.Join(c.Bin, "postgres"), args...)
	c.cmd.Dir = c.Dir
	logf, err := os.Create(filepath.Join(c.Dir, "server.log"))
	if err != nil {
		return err
	}
	c.cmd.Stdout, c.cmd.Stderr = logf, logf
	// SIGQUIT is PostgreSQL's immediate shutdown.
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT, Setpgid: true}
	if err := c.cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("postgres: %w", err)
	}
	go func() { c.cmd.Wait(); logf.Close(); close(c.exited) }()
	if err := c.waitReady(); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.Dir, "server.log"))
		return fmt.Errorf("%w\n%s", err, log)
	}
	if err := c.readVersion(); err != nil {
		return err
	}
	return c.exec(context.Background(), "postgres",
		"CREATE ROLE "+OwnerRole+" LOGIN",
		"CREATE ROLE "+AppRole+" LOGIN")
}

// waitReady waits for the server to accept connections or exit.
func (c *Cluster) waitReady() error {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		conn, err := pgx.Connect(context.Background(), c.DSN(Superuser, "postgres"))
		if err == nil {
			conn.Close(context.Background())
			return nil
		}
		select {
		case <-c.exited:
			return fmt.Errorf("postgres exited during start-up: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres not ready: %v", err)
		}
	}
}

func (c *Cluster) readVersion() error {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.DSN(Superuser, "postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var v string
	if err := conn.QueryRow(ctx, "SHOW server_version_num").Scan(&v); err != nil {
		return err
	}
	n, err := strconv.Atoi(v)
	c.version = n / 10000
	return err
}

// DSN is a connection string for role on database db over the socket.
func (c *Cluster) DSN(role, db string) string {
	return fmt.Sprintf("postgres://%s@/%s?host=%s&port=%d&sslmode=disable", role, db, c.Socket, c.Port)
}

// TLSDSN connects over TCP to 127.0.0.1 with the given sslmode and no
// root certificate: add sslrootcert (or PGSSLROOTCERT) to verify.
func (c *Cluster) TLSDSN(role, db, sslmode string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=%s", role, c.Port, db, sslmode)
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func (c *Cluster) exec(ctx context.Context, db string, stmts ...string) error {
	conn, err := pgx.Connect(ctx, c.DSN(Superuser, db))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// Exec runs statements as the superuser on database db.
func (c *Cluster) Exec(t testing.TB, db string, stmts ...string) {
	t.Helper()
	if err := c.exec(context.Background(), db, stmts...); err != nil {
		t.Fatal(err)
	}
}

// Database is one test's own database.
type Database struct {
	Name string
	c    *Cluster
}

// NewDatabase creates a database owned by OwnerRole for this test,
// dropped when the test ends (after the test's other cleanups, which
// close its connections).
func (c *Cluster) NewDatabase(t testing.TB) *Database {
	t.Helper()
	name := fmt.Sprintf("t%d_%d", os.Getpid(), c.next.Add(1))
	create := "CREATE DATABASE " + name + " OWNER " + OwnerRole
	if c.version >= 15 {
		// Copying files is faster than logging them, and durability is
		// not the point here.
		create += " STRATEGY FILE_COPY"
	}
	c.Exec(t, "postgres", create)
	t.Cleanup(func() {
		if err := c.exec(context.Background(), "postgres", "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return &Database{Name: name, c: c}
}

// OwnerDSN connects as the role owning the schema (migrations).
func (d *Database) OwnerDSN() string { return d.c.DSN(OwnerRole, d.Name) }

// AppDSN connects as the application's role.
func (d *Database) AppDSN() string { return d.c.DSN(AppRole, d.Name) }

// AppTLSDSN connects as the application's role over TCP and TLS.
func (d *Database) AppTLSDSN(sslmode string) string { return d.c.TLSDSN(AppRole, d.Name, sslmode) }

// SuperDSN connects as the superuser.
func (d *Database) SuperDSN() string { return d.c.DSN(Superuser, d.Name) }

// Stop shuts the server down at once and removes its directory.
func (c *Cluster) Stop() {
	if c.cmd != nil && c.cmd.Process != nil {
		c.cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-c.exited:
		case <-time.After(30 * time.Second):
			c.cmd.Process.Kill()
			<-c.exited
		}
	}
	if strings.HasPrefix(filepath.Base(c.Dir), "cbpg") {
		os.RemoveAll(c.Dir)
	}
}
