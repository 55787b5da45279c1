package tools

// This file holds the presentation hints tools attach for chat front ends.

// Display carries presentation hints for chat front ends (agent.Table and
// agent.Chart have the same JSON).
type Display struct {
	Tables []Table `json:"tables,omitempty"`
	Charts []Chart `json:"charts,omitempty"`
}

// Table is a titled table of preformatted cells.
type Table struct {
	Title   string     `json:"title"`
	Columns []string   `json:"columns"`
	Rows    [][]string `json:"rows"`
}

// Chart is a bar chart (Kind "bar"), or a line or stacked-area chart (Kind
// "line", "area") of Series sharing an x axis, with Marks drawn over them
// and Labels as x tick labels (the same JSON as agent.Chart).
type Chart struct {
	Title  string        `json:"title"`
	Kind   string        `json:"kind"`
	Labels []string      `json:"labels"`
	Values []float64     `json:"values"`
	Unit   string        `json:"unit"`
	XLabel string        `json:"x_label,omitempty"`
	YLabel string        `json:"y_label,omitempty"` // names the measure ("Net revenue"); Unit is added in brackets
	Series []ChartSeries `json:"series,omitempty"`
	Marks  []ChartSeries `json:"marks,omitempty"`
}

// ChartSeries is one named line of a line or area chart: Y[i] at X[i].
type ChartSeries struct {
	Name string    `json:"name"`
	X    []float64 `json:"x"`
	Y    []float64 `json:"y"`
}
