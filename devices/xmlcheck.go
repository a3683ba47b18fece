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
	Domains  int // domain definitions among the files read
	Editable int // domains every sample form edit patches cleanly
}

// OK is true when every file was read and round-trips without loss.
func (s Summary) OK() bool { return s.Lossy == 0 && s.Errors == 0 }

func (s Summary) String() string {
	s1 := fmt.Sprintf("%d files, %d lossless, %d lossy, %d errors", s.Files, s.Lossless, s.Lossy, s.Errors)
	if s.Domains > 0 {
		s1 += fmt.Sprintf("; %d of %d domains editable by kvmtui's forms", s.Editable, s.Domains)
	}
	return s1
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
			r := check(t)
			if r.domain {
				sum.Domains++
			}
			if r.editable {
				sum.Editable++
			}
			switch {
			case r.err != nil:
				sum.Errors++
				out.printf("ERROR %s: %v\n", t.path, withoutPath(r.err))
			case r.loss != nil:
				sum.Lossy++
				out.printf("LOSSY %s: %s%s\n", t.path, r.loss, r.note)
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

// checked is one file's outcome.
type checked struct {
	loss     *Loss
	err      error
	domain   bool
	editable bool
	note     string // for a lossy domain: whether forms can still edit it
}

func check(t target) checked {
	if t.err != nil {
		return checked{err: t.err}
	}
	data, err := os.ReadFile(t.path)
	if err != nil {
		return checked{err: err}
	}
	kind, err := DetectKind(string(data))
	if err != nil {
		return checked{err: err}
	}
	r := checked{}
	if r.loss, r.err = CheckRoundTrip(kind, string(data)); r.err != nil || kind != KindDomain {
		return r
	}
	r.domain = true
	ok, why, err := Editable(string(data))
	switch {
	case err != nil:
		r.note = "; not editable: " + err.Error()
	case ok:
		r.editable, r.note = true, "; editable: form edits keep it"
	default:
		r.note = "; not editable: " + why
	}
	return r
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
