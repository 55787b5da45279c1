// Package report renders analysis results as files an analyst can hand on:
// CSV tables (WriteCSV, CSV) and PNG bar charts (BarChartPNG, drawn with
// gonum/plot). It is pure rendering — no database, no network, no clock —
// so the CLI (roibot report --out DIR) and the Slack adapter produce the
// same files from the same data.
package report
