package catalog

import (
	"reflect"
	"strings"
	"testing"

	"github.com/secadvisor/secadvisor/internal/check"
)

func testEntries() []Entry {
	return []Entry{
		{ID: "AAAAAAAAA1", Slug: "first", Name: "First", Scope: check.Global, Implemented: true},
		{ID: "BBBBBBBBB2", Slug: "second", Name: "Second", Scope: check.Regional, Columns: []string{"Status", "Region"},
			RecommendedAction: "Close <open> & bad rules.", Implemented: true},
		{ID: "CCCCCCCCC3", Slug: "third", Scope: check.Regional},
	}
}

func TestSelect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		names   []string
		want    []string // IDs, in catalog order
		wantErr string
	}{
		{nil, []string{"AAAAAAAAA1", "BBBBBBBBB2", "CCCCCCCCC3"}, ""},
		{[]string{"third", "AAAAAAAAA1"}, []string{"AAAAAAAAA1", "CCCCCCCCC3"}, ""},
		{[]string{"SECOND", "second"}, []string{"BBBBBBBBB2"}, ""},
		{[]string{"aaaaaaaaa1"}, nil, `unknown check "aaaaaaaaa1"`},
		{[]string{"first", "fourth"}, nil, `unknown check "fourth"`},
	}
	for _, tt := range tests {
		got, err := Select(testEntries(), Entry.Names, tt.names)
		var ids []string
		for _, e := range got {
			ids = append(ids, e.ID)
		}
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Select(%q) error = %v, want %q", tt.names, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(ids, tt.want) {
			t.Errorf("Select(%q) = %q, %v; want %q", tt.names, ids, err, tt.want)
		}
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	t.Parallel()
	raw, err := Encode(testEntries())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), "<open> & bad") {
		t.Errorf("encoded catalog escapes text:\n%s", raw)
	}
	got, err := Decode(raw)
	if err != nil || !reflect.DeepEqual(got, testEntries()) {
		t.Errorf("Decode(Encode(entries)) = %+v, %v;\nwant %+v", got, err, testEntries())
	}
}

// TestEmbeddedCatalogDecodes: the Lambda functions read All at their first
// alert or scan; it must hold checks. (internal/checks keeps it equal to the catalog.)
func TestEmbeddedCatalogDecodes(t *testing.T) {
	t.Parallel()
	if len(All()) == 0 {
		t.Errorf("the embedded catalog is empty; run make docs")
	}
	first := All()[0]
	if got, ok := Lookup(first.ID); !ok || got.ID != first.ID {
		t.Errorf("Lookup(%s) = %+v, %v; want the first entry", first.ID, got, ok)
	}
	if _, ok := Lookup("NoSuchCheck"); ok {
		t.Errorf("Lookup(NoSuchCheck) found an entry")
	}
}

// TestEntryFor: a finding's check the catalog knows gets the catalog's whole
// entry, whatever name the finding carries; one it does not know keeps the
// finding's ID and name.
func TestEntryFor(t *testing.T) {
	t.Parallel()
	first := All()[0]
	tests := []struct {
		id, name string
		want     Entry
	}{
		{first.ID, "an older name", first},
		{"NewerCheck1", "A check of a newer version", Entry{ID: "NewerCheck1", Name: "A check of a newer version"}},
	}
	for _, tt := range tests {
		if got := EntryFor(tt.id, tt.name); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("EntryFor(%q, %q) = %+v, want %+v", tt.id, tt.name, got, tt.want)
		}
	}
}
