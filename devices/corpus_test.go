package devices

import (
	lt "kvmtui/libvirtx/libvirtxtest"
	"os"
	"path/filepath"
	"testing"
)

// corpusDir is libvirt's sample XML corpus (see libvirtxtest.Corpus).
func corpusDir(t testing.TB) string { return lt.Corpus(t) }

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
