package ingest

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestReadModelTable(t *testing.T) {
	csv := "\ufeffid;age;job;duration;since;y\r\n" +
		"a;30;\"admin.\";10;1970-01-02;yes\r\n" +
		"b;NA;blue;20;2012-09-04;no\r\n" +
		"c;41.5;;30;;NO\r\n"
	tbl, err := ReadModelTable(strings.NewReader(csv), ModelTableOptions{Target: "y", ID: "id", Drop: []string{"duration"}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tbl.Target, []bool{true, false, false}) || !slices.Equal(tbl.IDs, []string{"a", "b", "c"}) {
		t.Errorf("target %v, ids %v", tbl.Target, tbl.IDs)
	}
	if len(tbl.Columns) != 3 || tbl.Columns[0].Name != "age" || tbl.Columns[1].Name != "job" || tbl.Columns[2].Name != "since_days" {
		t.Fatalf("columns = %+v; want age, job, since_days", tbl.Columns)
	}
	// 2012-09-04 is day 15,587 after 1970-01-01.
	if s := tbl.Columns[2].Num; s[0] != 1 || s[1] != 15587 || !math.IsNaN(s[2]) {
		t.Errorf("since_days = %v; want [1 15587 NaN]", s)
	}
	age, job := tbl.Columns[0], tbl.Columns[1]
	if age.Num == nil || age.Num[0] != 30 || !math.IsNaN(age.Num[1]) || age.Num[2] != 41.5 {
		t.Errorf("age = %v; want [30 NaN 41.5]", age.Num)
	}
	if !slices.Equal(job.Cat, []string{"admin.", "blue", ""}) {
		t.Errorf("job = %q", job.Cat)
	}
	for _, c := range []struct{ name, csv, want string }{
		{"BadLabel", "x,y\n1,maybe\n", "line 2, column y"},
		{"Ragged", "x,y\n1,1\n2\n", "line 3"},
		{"NoTarget", "x,z\n1,1\n", `target column "y" not in the header`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadModelTable(strings.NewReader(c.csv), ModelTableOptions{Target: "y"})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v; want it to mention %q", err, c.want)
			}
		})
	}
}
