package awsx

import (
	"context"
	"errors"
	"slices"
	"testing"
)

// fakePages answers with its pages in turn, then err (if set) in place of
// the page after the last.
type fakePages struct {
	pages [][]string
	err   error
	asked int
}

type fakeOptions struct{}

func (p *fakePages) HasMorePages() bool {
	return p.asked < len(p.pages) || (p.err != nil && p.asked == len(p.pages))
}

func (p *fakePages) NextPage(context.Context, ...func(*fakeOptions)) ([]string, error) {
	p.asked++
	if p.asked > len(p.pages) {
		return nil, p.err
	}
	return p.pages[p.asked-1], nil
}

func same(page []string) []string { return page }

func TestAllPages(t *testing.T) {
	t.Parallel()
	failed := errors.New("throttled on page 3")
	tests := []struct {
		name      string
		pages     *fakePages
		want      []string
		wantErr   error
		wantAsked int
	}{
		{"one page", &fakePages{pages: [][]string{{"a", "b"}}}, []string{"a", "b"}, nil, 1},
		{"the second page counts", &fakePages{pages: [][]string{{"a"}, {"b", "c"}}}, []string{"a", "b", "c"}, nil, 2},
		{"an empty page in between", &fakePages{pages: [][]string{{"a"}, {}, {"b"}}}, []string{"a", "b"}, nil, 3},
		{"an error after two pages loses them all", &fakePages{pages: [][]string{{"a"}, {"b"}}, err: failed}, nil, failed, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := AllPages(context.Background(), tt.pages, same)
			if !errors.Is(err, tt.wantErr) || !slices.Equal(got, tt.want) {
				t.Errorf("AllPages = %q, %v; want %q, %v", got, err, tt.want, tt.wantErr)
			}
			if tt.pages.asked != tt.wantAsked {
				t.Errorf("pages asked = %d, want %d", tt.pages.asked, tt.wantAsked)
			}
		})
	}
}

func TestEachPageStopsAtTheFirstError(t *testing.T) {
	t.Parallel()
	stop := errors.New("stop")
	pages := &fakePages{pages: [][]string{{"a"}, {"b"}, {"c"}}}
	var seen []string
	err := EachPage(context.Background(), pages, func(page []string) error {
		seen = append(seen, page...)
		if page[0] == "b" {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || !slices.Equal(seen, []string{"a", "b"}) || pages.asked != 2 {
		t.Errorf("EachPage = %v after %q and %d pages; want %v after [a b] and 2 pages", err, seen, pages.asked, stop)
	}
}
