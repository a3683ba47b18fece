// Command testsum reads `go test -json` and prints what a person needs:
// each package's result line, the output of every test that failed or was
// skipped, and a last line counting passed, failed and skipped tests. It
// exits non-zero when anything failed, or when a test was skipped while
// KVMTUI_REQUIRE_ALL says every prerequisite is there (make test).
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

func main() {
	strict := os.Getenv("KVMTUI_REQUIRE_ALL") != ""
	out := map[string]*strings.Builder{} // a running test's output, by package/test
	var failed, skipped []string
	passed, pkgFailed := 0, false
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			fmt.Println(sc.Text()) // not JSON: a build error, say
			continue
		}
		id := e.Package + "." + e.Test
		switch {
		case e.Test == "" && e.Action == "output":
			// The package's own lines: "ok", "FAIL", "?", build errors.
			if l := e.Output; !strings.HasPrefix(l, "=== ") && !strings.HasPrefix(l, "PASS\n") {
				fmt.Print(l)
			}
		case e.Test == "" && e.Action == "fail":
			pkgFailed = true
		case e.Test == "":
			// a package's start, pass or skip (no test files)
		case e.Action == "output":
			if out[id] == nil {
				out[id] = &strings.Builder{}
			}
			out[id].WriteString(e.Output)
		case e.Action == "pass":
			passed++
			delete(out, id)
		case e.Action == "fail", e.Action == "skip":
			if e.Action == "fail" {
				failed = append(failed, id)
			} else {
				skipped = append(skipped, id)
			}
			if b := out[id]; b != nil {
				fmt.Print(b.String())
			}
			delete(out, id)
		}
	}
	sort.Strings(skipped)
	for _, s := range skipped {
		fmt.Println("skipped:", s)
	}
	fmt.Printf("%d passed, %d failed, %d skipped\n", passed, len(failed), len(skipped))
	switch {
	case len(failed) > 0 || pkgFailed:
		os.Exit(1)
	case strict && len(skipped) > 0:
		fmt.Println("make test needs every test to run: the skips above name what is missing")
		os.Exit(1)
	}
}
