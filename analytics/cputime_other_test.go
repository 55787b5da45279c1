//go:build !unix

package analytics

// processCPUSeconds is unavailable here; benchmarks report 0 CPU seconds.
func processCPUSeconds() float64 { return 0 }
