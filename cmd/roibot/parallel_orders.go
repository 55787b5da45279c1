package main

import (
	"context"
	"hash/fnv"
	"runtime"
	"slices"
	"sync"

	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/ingest"
)

// parallelOrders stores each batch of order lines as up to n parts at
// once, each StoreOrderLines call a transaction on its own pool
// connection, so that a bulk import uses more than one server core. A
// batch is split by the customer of each invoice's first line in the
// batch (by invoice number for anonymous invoices): every invoice, with
// all its lines, stays in one part, and so does every customer an
// invoice may create, so each part decides exactly what a single call
// would (the parts only share products, which the store inserts last).
// A part that fails leaves the others stored; a re-import completes it.
type parallelOrders struct {
	sink ingest.OrderSink
	n    int
}

// newParallelOrders returns sink split n ways, n being the CPUs, at most
// maxConns (the pool size) and at most 4.
func newParallelOrders(sink ingest.OrderSink, maxConns int) parallelOrders {
	return parallelOrders{sink: sink, n: max(1, min(runtime.NumCPU(), maxConns, 4))}
}

// StoreOrderLines implements ingest.OrderSink. The goroutines it starts
// end before it returns.
func (p parallelOrders) StoreOrderLines(ctx context.Context, source string, lines []analytics.OrderLine) (analytics.StoreResult, error) {
	if p.n <= 1 || len(lines) < 2*p.n {
		return p.sink.StoreOrderLines(ctx, source, lines)
	}
	// idx[k] lists the batch indexes of part k, in batch order.
	idx := make([][]int, p.n)
	part := map[string]int{}
	for i, l := range lines {
		k, ok := part[l.InvoiceNo]
		if !ok {
			key := l.CustomerID
			if key == "" {
				key = "\x00" + l.InvoiceNo
			}
			h := fnv.New32a()
			h.Write([]byte(key))
			k = int(h.Sum32() % uint32(p.n))
			part[l.InvoiceNo] = k
		}
		idx[k] = append(idx[k], i)
	}
	results := make([]analytics.StoreResult, p.n)
	errs := make([]error, p.n)
	var wg sync.WaitGroup
	for k := range p.n {
		if len(idx[k]) == 0 {
			continue
		}
		sub := make([]analytics.OrderLine, len(idx[k]))
		for j, i := range idx[k] {
			sub[j] = lines[i]
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[k], errs[k] = p.sink.StoreOrderLines(ctx, source, sub)
		}()
	}
	wg.Wait()
	var res analytics.StoreResult
	for k, r := range results {
		if errs[k] != nil {
			return analytics.StoreResult{}, errs[k]
		}
		res.Stored += r.Stored
		for _, c := range r.Conflicts {
			res.Conflicts = append(res.Conflicts, idx[k][c])
		}
	}
	slices.Sort(res.Conflicts)
	return res, nil
}
