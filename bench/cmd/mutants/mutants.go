package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// A mutant is one token of a source file replaced by another, as gremlins
// (github.com/go-gremlins/gremlins v0.6.0, internal/engine/mappings.go)
// does with its operators enabled by default.
type mutant struct {
	File      string // base name of the file in the package folder
	Line, Col int
	Offset    int // byte offset of the token in the file
	Type      string
	From, To  token.Token
	Func      string // enclosing function ("" at package level)
	FuncLines [2]int // first and last line of the enclosing function
}

func (m mutant) String() string {
	return fmt.Sprintf("%s:%d:%d %s %s→%s", m.File, m.Line, m.Col, m.Type, m.From, m.To)
}

// key names the mutant in result files and in -mutants lists.
func (m mutant) key() string { return fmt.Sprintf("%s:%d:%d %s", m.File, m.Line, m.Col, m.Type) }

// operators are gremlins' default-enabled mutators and what each does to a
// token. gremlins applies both INVERT_NEGATIVES and ARITHMETIC_BASE to
// every '-' (unary or binary), which makes the same mutant twice; here a
// unary '-' is INVERT_NEGATIVES and a binary one ARITHMETIC_BASE, once.
var operators = []struct {
	name string
	ops  map[token.Token]token.Token
}{
	{"ARITHMETIC_BASE", map[token.Token]token.Token{
		token.ADD: token.SUB, token.MUL: token.QUO, token.QUO: token.MUL,
		token.REM: token.MUL, token.SUB: token.ADD,
	}},
	{"CONDITIONALS_BOUNDARY", map[token.Token]token.Token{
		token.GEQ: token.GTR, token.GTR: token.GEQ, token.LEQ: token.LSS, token.LSS: token.LEQ,
	}},
	{"CONDITIONALS_NEGATION", map[token.Token]token.Token{
		token.EQL: token.NEQ, token.GEQ: token.LSS, token.GTR: token.LEQ,
		token.LEQ: token.GTR, token.LSS: token.GEQ, token.NEQ: token.EQL,
	}},
	{"INCREMENT_DECREMENT", map[token.Token]token.Token{token.DEC: token.INC, token.INC: token.DEC}},
	{"INVERT_NEGATIVES", map[token.Token]token.Token{token.SUB: token.ADD}},
}

// enumerate lists the mutants of the package's non-test files in dir
// (those matching only, when only is not nil), in file and position order.
func enumerate(dir string, only func(base string) bool) ([]mutant, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	var out []mutant
	for _, name := range names {
		base := filepath.Base(name)
		if strings.HasSuffix(base, "_test.go") || (only != nil && !only(base)) {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		ms, err := fileMutants(base, src)
		if err != nil {
			return nil, err
		}
		out = append(out, ms...)
	}
	return out, nil
}

// fileMutants lists one file's mutants.
func fileMutants(base string, src []byte) ([]mutant, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, base, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", base, err)
	}
	var out []mutant
	var fn *ast.FuncDecl
	ast.Inspect(f, func(n ast.Node) bool {
		if d, ok := n.(*ast.FuncDecl); ok {
			fn = d
		}
		var tok token.Token
		var pos token.Pos
		unary := false
		switch n := n.(type) {
		case *ast.BinaryExpr:
			tok, pos = n.Op, n.OpPos
		case *ast.IncDecStmt:
			tok, pos = n.Tok, n.TokPos
		case *ast.UnaryExpr:
			tok, pos, unary = n.Op, n.OpPos, true
		default:
			return true
		}
		p := fset.Position(pos)
		for _, op := range operators {
			to, ok := op.ops[tok]
			if !ok {
				continue
			}
			if tok == token.SUB && (op.name == "INVERT_NEGATIVES") != unary {
				continue
			}
			m := mutant{File: base, Line: p.Line, Col: p.Column, Offset: p.Offset, Type: op.name, From: tok, To: to}
			if fn != nil && fn.Pos() <= pos && pos < fn.End() {
				m.Func = fn.Name.Name
				if fn.Recv != nil && len(fn.Recv.List) == 1 {
					m.Func = recvName(fn.Recv.List[0].Type) + "." + m.Func
				}
				m.FuncLines = [2]int{fset.Position(fn.Pos()).Line, fset.Position(fn.End()).Line}
			}
			out = append(out, m)
		}
		return true
	})
	return out, nil
}

func recvName(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.StarExpr:
		return recvName(t.X)
	case *ast.IndexExpr:
		return recvName(t.X)
	case *ast.IndexListExpr:
		return recvName(t.X)
	case *ast.Ident:
		return t.Name
	}
	return "?"
}

// apply returns src with the mutant's token replaced.
func apply(src []byte, m mutant) ([]byte, error) {
	from := m.From.String()
	if m.Offset+len(from) > len(src) || !bytes.Equal(src[m.Offset:m.Offset+len(from)], []byte(from)) {
		return nil, fmt.Errorf("%s: no %q at offset %d (file changed?)", m, from, m.Offset)
	}
	out := make([]byte, 0, len(src)+1)
	out = append(out, src[:m.Offset]...)
	out = append(out, m.To.String()...)
	return append(out, src[m.Offset+len(from):]...), nil
}

// mutantRef matches a mutant named in a list: gremlins' output lines
// ("LIVED CONDITIONALS_BOUNDARY at internal/search/table.go:46:12") and this
// command's own ("table.go:46:12 CONDITIONALS_BOUNDARY <→<=").
var mutantRef = regexp.MustCompile(`([^\s:]+\.go):(\d+):(\d+)`)
var mutantType = regexp.MustCompile(`\b(ARITHMETIC_BASE|CONDITIONALS_BOUNDARY|CONDITIONALS_NEGATION|INCREMENT_DECREMENT|INVERT_NEGATIVES)\b`)

// selectListed keeps the mutants named in list (one a line; a line without
// an operator's name selects every mutant at its position).
func selectListed(ms []mutant, list []byte) []mutant {
	want := map[string]bool{}
	for _, line := range strings.Split(string(list), "\n") {
		r := mutantRef.FindStringSubmatch(line)
		if r == nil {
			continue
		}
		pos := fmt.Sprintf("%s:%s:%s", filepath.Base(r[1]), r[2], r[3])
		if t := mutantType.FindString(line); t != "" {
			want[pos+" "+t] = true
		} else {
			want[pos] = true
		}
	}
	var out []mutant
	for _, m := range ms {
		pos := fmt.Sprintf("%s:%d:%d", m.File, m.Line, m.Col)
		if want[pos] || want[m.key()] {
			out = append(out, m)
		}
	}
	return out
}

// where names the mutant's function for the report.
func (m mutant) where() string {
	if m.Func == "" {
		return "package level"
	}
	return m.Func
}
