package devices

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Summary counts the outcome of CheckPaths.
type Summary struct {
	Files    int // files checked
	Lossless int
	Lossy    int
	Errors   int // unreadable, malformed, or not a libvirt document
}

// OK is true when every file was read and round-trips without loss.
func (s Summary) OK() bool { return s.Lossy == 0 && s.Errors == 0 }

func (s Summary) String() string {
	return fmt.Sprintf("%d files, %d lossless, %d lossy, %d errors", s.Files, s.Lossless, s.Lossy, s.Errors)
}

// CheckPaths runs the fidelity guard over files and directories (every
// *.xml below a directory, recursively; a file named directly is checked
// whatever its name). It writes one line per problem:
//
//	LOSSY path: first difference (and N more)
//	ERROR path: message
//
// then the summary line. Lossless files print nothing. The error is only
// for failing to write to w; problems with inputs are counted and reported.
func CheckPaths(paths []string, w io.Writer) (Summary, error) {
	var sum Summary
	out := &errWriter{w: w}
	for _, p := range paths {
		for _, t := range expand(p) {
			sum.Files++
			l, err := check(t)
			switch {
			case err != nil:
				sum.Errors++
				out.printf("ERROR %s: %v\n", t.path, withoutPath(err))
			case l != nil:
				sum.Lossy++
				out.printf("LOSSY %s: %s\n", t.path, l)
			default:
				sum.Lossless++
			}
		}
	}
	out.printf("%s\n", sum)
	return sum, out.err
}

// target is a file to check, or a path that could not be read.
type target struct {
	path string
	err  error
}

// expand turns a command-line path into targets in a stable order. An
// unreadable directory entry becomes an error target; the walk goes on.
func expand(path string) []target {
	info, err := os.Stat(path)
	if err != nil {
		return []target{{path, err}}
	}
	if !info.IsDir() {
		return []target{{path: path}}
	}
	var ts []target
	_ = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			ts = append(ts, target{p, err})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
		case d.Type().IsRegular() && strings.EqualFold(filepath.Ext(p), ".xml"):
			ts = append(ts, target{path: p})
		}
		return nil
	})
	return ts
}

func check(t target) (*Loss, error) {
	if t.err != nil {
		return nil, t.err
	}
	data, err := os.ReadFile(t.path)
	if err != nil {
		return nil, err
	}
	kind, err := DetectKind(string(data))
	if err != nil {
		return nil, err
	}
	return CheckRoundTrip(kind, string(data))
}

// withoutPath drops the path from an fs error: the line already names it.
func withoutPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// errWriter keeps the first write error so the report loop stays simple.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
