// Package ingest reads roibot's input files — the UCI Online Retail CSV, the
// CDNOW transaction log and the documented generic CSV of each table — as
// streams (gzip accepted), validates every row, and hands batches to a Sink.
// Rejected rows are reported with their line number, field and reason;
// nothing already stored is lost when a row is bad.
//
// It also reads whole files into analytics' types for commands that work
// without a database: ReadCDNOW (the CDNOW log as orders, through the same
// row parser as ImportCDNOW) and ReadChannelAttributionCSV (aggregated
// paths). All of roibot's file parsing lives here; analytics does no file
// I/O.
//
// ingest knows file formats, not SQL: the postgres package implements Sink.
package ingest
