// Package analytics holds roibot's marketing mathematics and the shared
// marketing types (Order, Spend, Touchpoint, Period, Money).
//
// Everything here is pure Go on in-memory inputs: no database, no files
// (ingest reads them), no network, no logging and no clock. Callers pass an explicit as-of time. Each public
// metric states its formula, units and source (a paper or a section of the
// seed document, e.g. section 4.1 for ROI, 4.2 for CLV, 4.3 for RFM and 4.4
// for funnels).
//
// Units: money is Money, an int64 count of minor currency units (pence for
// GBP); rates and shares are fractions (0.12, not 12%); time spans state
// days or weeks in their names.
package analytics
