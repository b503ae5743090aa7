package awsx

import "context"

// Pager is what every SDK paginator (ec2.NewDescribeSnapshotsPaginator, …)
// offers: a page at a time until there are no more.
type Pager[Page, Options any] interface {
	HasMorePages() bool
	NextPage(context.Context, ...func(*Options)) (Page, error)
}

// EachPage hands every page of pages to do, in order. The first error, from
// the service or from do, stops it and is returned as it is: the caller wraps
// it with the operation.
func EachPage[Page, Options any](ctx context.Context, pages Pager[Page, Options], do func(Page) error) error {
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return err
		}
		if err := do(page); err != nil {
			return err
		}
	}
	return nil
}

// AllPages returns the items of every page of pages, in order; items picks
// them out of one page. On an error it returns nil and the error unwrapped,
// as EachPage does.
func AllPages[Page, Options, Item any](ctx context.Context, pages Pager[Page, Options], items func(Page) []Item) ([]Item, error) {
	var all []Item
	err := EachPage(ctx, pages, func(page Page) error {
		all = append(all, items(page)...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return all, nil
}
