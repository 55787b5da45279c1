package ingest

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"strings"
)

// Open opens path for reading, transparently decompressing gzip (detected
// by its magic bytes, whatever the file name). The caller closes it.
func Open(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(f, 1<<16)
	magic, _ := br.Peek(2)
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("open %s: gzip: %w", path, err)
		}
		return &readCloser{Reader: gzipReader{zr}, close: func() error { zr.Close(); return f.Close() }}, nil
	}
	return &readCloser{Reader: br, close: f.Close}, nil
}

type readCloser struct {
	io.Reader
	close func() error
}

func (r *readCloser) Close() error { return r.close() }

// gzipReader marks the errors of a gzip stream (a truncated file reads as
// io.ErrUnexpectedEOF) so that importers can name them.
type gzipReader struct{ r io.Reader }

func (g gzipReader) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if err != nil && err != io.EOF {
		err = &gzipError{err}
	}
	return n, err
}

// gzipError is an error from the gzip decompressor of Open.
type gzipError struct{ err error }

func (e *gzipError) Error() string {
	if strings.HasPrefix(e.err.Error(), "gzip: ") {
		return e.err.Error()
	}
	return "gzip: " + e.err.Error()
}

func (e *gzipError) Unwrap() error { return e.err }
