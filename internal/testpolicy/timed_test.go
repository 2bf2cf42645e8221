package testpolicy

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// No unit test may fail because the machine is slow: time budgets live in
// benchmarks and codebench bench (#13: TestLoadTime failed at 330-930 ms
// against 300 ms on a loaded 2-core machine). This finds, in every Test
// function, an if whose condition says an elapsed time is above a bound
// (time.Since(x) > d, or a variable set from time.Since) and whose body
// fails the test. A lower bound (a frame not drawn too early) and a
// logged time are fine.
func TestNoUnitTestHasATimeBudget(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	files := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "vendor") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		files++
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil || !strings.HasPrefix(fn.Name.Name, "Test") {
				continue
			}
			for _, pos := range timeBudgets(fn.Body) {
				t.Errorf("%s: %s fails when the machine is slow; report the time, or move the budget to a benchmark", fset.Position(pos), fn.Name.Name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Fatalf("read %d test files under %s: the walk missed the repository", files, root)
	}
}

// timeBudgets are the ifs of body that fail the test when an elapsed time
// is above a bound.
func timeBudgets(body *ast.BlockStmt) []token.Pos {
	elapsed := map[string]bool{} // variables set from time.Since
	var out []token.Pos
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for i, r := range n.Rhs {
				if isSince(r) && i < len(n.Lhs) {
					if id, ok := n.Lhs[i].(*ast.Ident); ok {
						elapsed[id.Name] = true
					}
				}
			}
		case *ast.IfStmt:
			if n.Init != nil {
				ast.Inspect(n.Init, func(m ast.Node) bool {
					if a, ok := m.(*ast.AssignStmt); ok {
						for i, r := range a.Rhs {
							if isSince(r) && i < len(a.Lhs) {
								if id, ok := a.Lhs[i].(*ast.Ident); ok {
									elapsed[id.Name] = true
								}
							}
						}
					}
					return true
				})
			}
			if above(n.Cond, elapsed) && fails(n.Body) {
				out = append(out, n.Pos())
			}
		}
		return true
	})
	return out
}

// isSince tells a call of time.Since.
func isSince(e ast.Expr) bool {
	c, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	s, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	x, ok := s.X.(*ast.Ident)
	return ok && x.Name == "time" && s.Sel.Name == "Since"
}

// above tells a condition that holds when an elapsed time is too long:
// elapsed > d, elapsed >= d, d < elapsed, d <= elapsed, in any || or &&.
func above(e ast.Expr, elapsed map[string]bool) bool {
	b, ok := e.(*ast.BinaryExpr)
	if !ok {
		if p, ok := e.(*ast.ParenExpr); ok {
			return above(p.X, elapsed)
		}
		return false
	}
	isElapsed := func(x ast.Expr) bool {
		if id, ok := x.(*ast.Ident); ok && elapsed[id.Name] {
			return true
		}
		return isSince(x)
	}
	switch b.Op {
	case token.LOR, token.LAND:
		return above(b.X, elapsed) || above(b.Y, elapsed)
	case token.GTR, token.GEQ:
		return isElapsed(b.X)
	case token.LSS, token.LEQ:
		return isElapsed(b.Y)
	}
	return false
}

// fails tells a block that calls t.Error, t.Errorf, t.Fatal or t.Fatalf
// (or b.*, tb.*).
func fails(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			if s, ok := c.Fun.(*ast.SelectorExpr); ok {
				switch s.Sel.Name {
				case "Error", "Errorf", "Fatal", "Fatalf", "FailNow", "Fail":
					found = true
				}
			}
		}
		return !found
	})
	return found
}
