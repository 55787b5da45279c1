package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/roibot/roibot/postgres/pgtest"
)

// TestSchemas_TwoProcesses runs two roibot processes with different
// ROIBOT_DB_SCHEMA against one server at the same time, several rounds,
// and checks that each answers from its own data: schema A holds the three
// customers of testdata/retail_small.csv, schema B only customer 12347's
// lines. (On the former embedded PGlite every connection shared one
// session, and one process's search_path redirected the other.)
func TestSchemas_TwoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	url := pgtest.URL(t)
	bin := filepath.Join(t.TempDir(), "roibot")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	all, err := os.ReadFile("testdata/retail_small.csv")
	if err != nil {
		t.Fatal(err)
	}
	var one []string
	for i, l := range strings.Split(strings.TrimSpace(string(all)), "\n") {
		if i == 0 || strings.Contains(l, ",12347.0,") {
			one = append(one, l)
		}
	}
	onePath := filepath.Join(t.TempDir(), "one_customer.csv")
	if err := os.WriteFile(onePath, []byte(strings.Join(one, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	type side struct {
		schema, file string
		customers    int
	}
	sides := []side{
		{pgtest.NewSchema(t), "testdata/retail_small.csv", 3},
		{pgtest.NewSchema(t), onePath, 1},
	}
	for _, s := range sides {
		runRoibot(t, map[string]string{"DATABASE_URL": url, "ROIBOT_DB_SCHEMA": s.schema}, "import", "online-retail", s.file)
	}
	for round := range 3 {
		var wg sync.WaitGroup
		errs := make([]error, len(sides))
		for i, s := range sides {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cmd := exec.Command(bin, "ask", "--json", "How many customers do we have?")
				cmd.Env = append(os.Environ(), "DATABASE_URL="+url, "ROIBOT_DB_SCHEMA="+s.schema, "ROIBOT_LLM_PROVIDER=offline")
				var out, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &stderr
				if err := cmd.Run(); err != nil {
					errs[i] = fmt.Errorf("schema %s: %v\n%s", s.schema, err, stderr.String())
					return
				}
				var a askJSON
				if err := json.Unmarshal(out.Bytes(), &a); err != nil || len(a.ToolCalls) != 1 {
					errs[i] = fmt.Errorf("schema %s: answer %q: %v", s.schema, out.String(), err)
					return
				}
				var res struct {
					Customers int `json:"customers"`
				}
				if err := json.Unmarshal(a.ToolCalls[0].Result, &res); err != nil {
					errs[i] = fmt.Errorf("schema %s: result %s: %v", s.schema, a.ToolCalls[0].Result, err)
					return
				}
				if res.Customers != s.customers {
					errs[i] = fmt.Errorf("schema %s: %d customers; want %d (its own data)", s.schema, res.Customers, s.customers)
				}
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Errorf("round %d: %v", round, err)
			}
		}
	}
}
