package devices

import (
	"os"
	"path/filepath"
	"testing"
)

// corpusDir finds libvirt's sample XML corpus: $KVMTUI_CORPUS, or a
// shared/corpus/libvirt directory beside the working directory or one of
// its parents (CI copies shared/ next to the clone). Without it the test
// fails in CI and is skipped, loudly, elsewhere.
func corpusDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("KVMTUI_CORPUS"); d != "" {
		if _, err := os.Stat(d); err != nil {
			t.Fatalf("KVMTUI_CORPUS=%s: %v", d, err)
		}
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		c := filepath.Join(d, "shared", "corpus", "libvirt")
		if st, err := os.Stat(c); err == nil && st.IsDir() {
			return c
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	msg := "libvirt XML corpus not found: set KVMTUI_CORPUS or put shared/corpus/libvirt beside the repository"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip("SKIPPING FIDELITY CORPUS TESTS: " + msg)
	return ""
}

// corpusFolders maps the corpus folders to the kind their files hold.
var corpusFolders = map[string]DocKind{
	"domain":      KindDomain,
	"network":     KindNetwork,
	"storagepool": KindPool,
	"storagevol":  KindVolume,
	"snapshot":    KindSnapshot,
}

type corpusFile struct {
	name string // folder/file.xml, as in the expected-loss table
	kind DocKind
	data string
}

func corpusFiles(t *testing.T) []corpusFile {
	t.Helper()
	dir := corpusDir(t)
	var files []corpusFile
	for folder, kind := range corpusFolders {
		paths, err := filepath.Glob(filepath.Join(dir, folder, "*.xml"))
		if err != nil {
			t.Fatal(err)
		}
		if len(paths) == 0 {
			t.Fatalf("corpus folder %s/%s has no XML files", dir, folder)
		}
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, corpusFile{folder + "/" + filepath.Base(p), kind, string(b)})
		}
	}
	return files
}
