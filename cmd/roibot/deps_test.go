package main

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// allowedDeps is the dependency table of STYLE.md section 2: which roibot
// packages each package may import (besides the standard library and
// third-party modules, checked separately below). postgres takes the inner
// packages' types (analytics.OrderLine, its own SyntheticLayer), never
// ingest's or demodata's: cmd converts. report (CSV and PNG rendering, no
// I/O beyond an io.Writer and reading a CJK font file once) is shared by tools, slackbot and the CLI so a
// chart looks the same everywhere.
var allowedDeps = map[string][]string{
	"analytics":  {},
	"knowledge":  {"analytics"},
	"ingest":     {"analytics", "knowledge"},
	"demodata":   {"analytics"},
	"postgres":   {"analytics", "knowledge", "migrations"},
	"tools":      {"analytics", "knowledge", "report"},
	"agent":      {},
	"planner":    {"tools", "analytics"},
	"slackbot":   {"agent", "report"},
	"report":     {},
	"migrations": {},
}

// allowedThirdParty is the other half of STYLE.md's table: the modules
// outside the standard library each package may import directly (module
// path prefixes). Beyond the table, each with the design's reason:
// knowledge uses govader for the offline VADER sentiment (README, feedback);
// postgres applies migrations.FS with tern (STYLE.md section 10); tools
// needs golang.org/x/text for the JSON Schema validator's messages;
// slackbot rate-limits users with golang.org/x/time; report parses CJK
// system fonts with golang.org/x/image/font (the font types of gonum/plot's
// own font cache, read once, never written). cmd/roibot may import
// anything.
var allowedThirdParty = map[string][]string{
	"analytics":  {"gonum.org/v1/gonum/"},
	"knowledge":  {"github.com/tmc/langchaingo/", "github.com/jonreiter/govader"},
	"ingest":     {},
	"demodata":   {},
	"postgres":   {"github.com/jackc/pgx/v5", "github.com/pgvector/pgvector-go", "github.com/jackc/tern/v2/"},
	"tools":      {"github.com/tmc/langchaingo/", "github.com/santhosh-tekuri/jsonschema/v6", "golang.org/x/text/"},
	"agent":      {"github.com/tmc/langchaingo/"},
	"planner":    {"github.com/tmc/langchaingo/", "golang.org/x/text/"},
	"slackbot":   {"github.com/slack-go/slack", "golang.org/x/time/"},
	"report":     {"gonum.org/v1/plot", "golang.org/x/image/font"},
	"migrations": {},
}

// forbiddenThirdParty lists modules a package must not reach, even
// indirectly: analytics stays pure; knowledge and tools never touch SQL.
var forbiddenThirdParty = map[string][]string{
	"analytics": {"github.com/jackc/", "github.com/tmc/langchaingo/", "github.com/slack-go/", "net/http", "database/sql", "log/slog"},
	"knowledge": {"github.com/jackc/", "github.com/slack-go/", "database/sql"},
	"tools":     {"github.com/jackc/", "github.com/slack-go/", "database/sql"},
	"agent":     {"github.com/jackc/", "github.com/slack-go/", "database/sql"},
	"planner":   {"github.com/jackc/", "github.com/slack-go/", "database/sql"},
	"slackbot":  {"github.com/jackc/", "database/sql"},
}

const module = "github.com/roibot/roibot/"

func TestDependencyDirection(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "-json", "../../...")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	type pkg struct {
		ImportPath string
		Imports    []string
		Deps       []string
	}
	dec := json.NewDecoder(out)
	var pkgs []pkg
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, p := range pkgs {
		name, ok := strings.CutPrefix(p.ImportPath, module)
		if !ok {
			continue
		}
		top, _, _ := strings.Cut(name, "/")
		allowed, known := allowedDeps[top]
		if !known || name != top {
			continue
		}
		checked++
		for _, imp := range p.Imports {
			dep, ok := strings.CutPrefix(imp, module)
			if !ok {
				continue
			}
			depTop, _, _ := strings.Cut(dep, "/")
			if !contains(allowed, depTop) {
				t.Errorf("%s imports %s; STYLE.md allows only %v", name, dep, allowed)
			}
		}
		for _, imp := range p.Imports {
			first, _, _ := strings.Cut(imp, "/")
			if strings.HasPrefix(imp, module) || !strings.Contains(first, ".") {
				continue // roibot's own (checked above) or the standard library
			}
			ok := false
			for _, prefix := range allowedThirdParty[top] {
				if imp == strings.TrimSuffix(prefix, "/") || strings.HasPrefix(imp, prefix) || strings.HasPrefix(imp, prefix+"/") {
					ok = true
				}
			}
			if !ok {
				t.Errorf("%s imports %s; STYLE.md allows only %v besides the standard library", name, imp, allowedThirdParty[top])
			}
		}
		for _, d := range p.Deps {
			for _, bad := range forbiddenThirdParty[top] {
				// Module prefixes end in "/"; standard packages match exactly.
				if d == bad || (strings.HasSuffix(bad, "/") && strings.HasPrefix(d, bad)) || strings.HasPrefix(d, bad+"/") && bad != "database/sql" {
					t.Errorf("%s depends on %s (forbidden: %s)", name, d, bad)
				}
			}
		}
	}
	if checked < len(allowedDeps) {
		t.Errorf("checked %d packages; want %d (is a package missing?)", checked, len(allowedDeps))
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
