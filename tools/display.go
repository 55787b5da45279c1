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

// Chart is a bar chart.
type Chart struct {
	Title  string    `json:"title"`
	Kind   string    `json:"kind"`
	Labels []string  `json:"labels"`
	Values []float64 `json:"values"`
	Unit   string    `json:"unit"`
}
