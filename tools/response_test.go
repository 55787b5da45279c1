package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/roibot/roibot/analytics"
)

// fakeDatasets implements DatasetReader with one func field per method.
type fakeDatasets struct {
	ModelDatasetsFn func(ctx context.Context) ([]analytics.DatasetInfo, error)
	ModelDatasetFn  func(ctx context.Context, name string) (analytics.ModelTable, analytics.DatasetInfo, error)
}

func (f *fakeDatasets) ModelDatasets(ctx context.Context) ([]analytics.DatasetInfo, error) {
	return f.ModelDatasetsFn(ctx)
}

func (f *fakeDatasets) ModelDataset(ctx context.Context, name string) (analytics.ModelTable, analytics.DatasetInfo, error) {
	return f.ModelDatasetFn(ctx, name)
}

// responseTable has 300 rows whose response follows past acceptances and
// recency, with a categorical column.
func responseTable() analytics.ModelTable {
	n := 300
	t := analytics.ModelTable{Target: make([]bool, n), IDs: make([]string, n), Columns: []analytics.ModelColumn{
		{Name: "Recency", Num: make([]float64, n)}, {Name: "AcceptedCmp", Num: make([]float64, n)}, {Name: "Education", Cat: make([]string, n)}}}
	for i := range n {
		rec := float64((i * 31) % 100)
		acc := float64(i % 4 / 3)
		t.IDs[i] = fmt.Sprint(1000 + i)
		t.Columns[0].Num[i], t.Columns[1].Num[i] = rec, acc
		t.Columns[2].Cat[i] = []string{"PhD", "Master", "Graduation"}[i%3]
		t.Target[i] = acc*60+(100-rec)*0.5+float64((i*17)%23) > 55
	}
	return t
}

func TestResponsePropensity(t *testing.T) {
	tbl := responseTable()
	loads := 0
	store := &fakeDatasets{
		ModelDatasetsFn: func(context.Context) ([]analytics.DatasetInfo, error) {
			return []analytics.DatasetInfo{{Name: "bank", Target: "y"}, {Name: "ifood", Source: "ml_project1_data.csv", Target: "Response", ImportedAt: time.Unix(1, 0)}}, nil
		},
		ModelDatasetFn: func(_ context.Context, name string) (analytics.ModelTable, analytics.DatasetInfo, error) {
			loads++
			return tbl, analytics.DatasetInfo{Name: name}, nil
		},
	}
	tool := NewResponsePropensity(store)
	out, err := tool.Call(context.Background(), `{"limit": 3}`)
	if err != nil {
		t.Fatal(err)
	}
	var res ResponseResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if res.Dataset != "ifood" || res.Target != "Response" || res.Rows != 300 || len(res.Listed) != 3 {
		t.Fatalf("result = %s", out)
	}
	if res.Model.TestAUC < 0.8 || len(res.Model.Compared) != 4 || len(res.Model.Reasons) == 0 || res.Model.Reasons[0].Column == "Education" {
		t.Errorf("model = %+v; want test AUC ≥ 0.8 and the signal columns as reasons", res.Model)
	}
	if res.Listed[0].Probability < res.Listed[2].Probability || !res.Listed[0].Responded {
		t.Errorf("listed = %+v; want sorted, the top one a past responder", res.Listed)
	}
	out, _ = tool.Call(context.Background(), `{"id": "1003"}`)
	if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.Listed) != 1 || res.Listed[0].ID != "1003" || loads != 1 {
		t.Errorf("one row: %s (%d loads)", out, loads)
	}
	out, _ = tool.Call(context.Background(), `{"dataset": "nope"}`)
	if !strings.Contains(out, `"error"`) || !strings.Contains(out, "bank, ifood") {
		t.Errorf("unknown dataset: %s", out)
	}
}
