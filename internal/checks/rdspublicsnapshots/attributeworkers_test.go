package rdspublicsnapshots

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/check/checktest"
)

// gatedRDS lists its snapshots in one page and holds every attribute
// request until gate requests are in flight at the same moment, so a
// collect that reads fewer at once fails (the first request gives up after
// waitFor and lets the rest through) instead of passing by luck of
// scheduling; it records the most requests ever in flight. The
// emulator answers too fast to show either. Snapshots named in failing
// answer Throttling, those in vanished DBSnapshotNotFound (deleted since
// listed), those in public the restore value "all".
type gatedRDS struct {
	instances, clusters       []string
	failing, vanished, public map[string]bool
	gate                      int

	mu       sync.Mutex
	inFlight int
	peak     int
	open     chan struct{}
	opened   sync.Once
}

const waitFor = 5 * time.Second

func (f *gatedRDS) DescribeDBSnapshots(context.Context, *rds.DescribeDBSnapshotsInput, ...func(*rds.Options)) (*rds.DescribeDBSnapshotsOutput, error) {
	out := &rds.DescribeDBSnapshotsOutput{}
	for _, id := range f.instances {
		out.DBSnapshots = append(out.DBSnapshots, rdstypes.DBSnapshot{DBSnapshotIdentifier: aws.String(id), DBInstanceIdentifier: aws.String("orders-db"), SnapshotType: aws.String(manual)})
	}
	return out, nil
}

func (f *gatedRDS) DescribeDBClusterSnapshots(context.Context, *rds.DescribeDBClusterSnapshotsInput, ...func(*rds.Options)) (*rds.DescribeDBClusterSnapshotsOutput, error) {
	out := &rds.DescribeDBClusterSnapshotsOutput{}
	for _, id := range f.clusters {
		out.DBClusterSnapshots = append(out.DBClusterSnapshots, rdstypes.DBClusterSnapshot{DBClusterSnapshotIdentifier: aws.String(id), DBClusterIdentifier: aws.String("ledger"), SnapshotType: aws.String(manual)})
	}
	return out, nil
}

// attributes passes the gate and answers id's restore values or its error.
func (f *gatedRDS) attributes(id string) ([]string, error) {
	f.mu.Lock()
	f.inFlight++
	f.peak = max(f.peak, f.inFlight)
	if f.inFlight >= f.gate {
		f.opened.Do(func() { close(f.open) })
	}
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inFlight--
		f.mu.Unlock()
	}()
	select {
	case <-f.open:
	case <-time.After(waitFor):
		// Let the others through: the test fails on peak, not on a timeout each.
		f.opened.Do(func() { close(f.open) })
		return nil, fmt.Errorf("%s: %d attribute requests never were in flight at once", id, f.gate)
	}
	switch {
	case f.failing[id]:
		return nil, &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded"}
	case f.vanished[id]:
		return nil, &smithy.GenericAPIError{Code: "DBSnapshotNotFound", Message: id + " not found"}
	case f.public[id]:
		return []string{public}, nil
	}
	return nil, nil
}

func (f *gatedRDS) DescribeDBSnapshotAttributes(_ context.Context, in *rds.DescribeDBSnapshotAttributesInput, _ ...func(*rds.Options)) (*rds.DescribeDBSnapshotAttributesOutput, error) {
	values, err := f.attributes(aws.ToString(in.DBSnapshotIdentifier))
	if err != nil {
		return nil, err
	}
	return &rds.DescribeDBSnapshotAttributesOutput{DBSnapshotAttributesResult: &rdstypes.DBSnapshotAttributesResult{
		DBSnapshotIdentifier: in.DBSnapshotIdentifier,
		DBSnapshotAttributes: []rdstypes.DBSnapshotAttribute{{AttributeName: aws.String(restoreAttribute), AttributeValues: values}},
	}}, nil
}

func (f *gatedRDS) DescribeDBClusterSnapshotAttributes(_ context.Context, in *rds.DescribeDBClusterSnapshotAttributesInput, _ ...func(*rds.Options)) (*rds.DescribeDBClusterSnapshotAttributesOutput, error) {
	values, err := f.attributes(aws.ToString(in.DBClusterSnapshotIdentifier))
	if err != nil {
		return nil, err
	}
	return &rds.DescribeDBClusterSnapshotAttributesOutput{DBClusterSnapshotAttributesResult: &rdstypes.DBClusterSnapshotAttributesResult{
		DBClusterSnapshotIdentifier: in.DBClusterSnapshotIdentifier,
		DBClusterSnapshotAttributes: []rdstypes.DBClusterSnapshotAttribute{{AttributeName: aws.String(restoreAttribute), AttributeValues: values}},
	}}, nil
}

// TestCollectReadsAttributesConcurrently: collect keeps attributeWorkers
// attribute requests in flight (all of them when there are fewer
// snapshots), never more, and reading them at once changes no verdict:
// findings come in the listing's order, a failed read is an error finding
// naming its operation, a snapshot deleted since it was listed is left out,
// and the others are still judged.
func TestCollectReadsAttributesConcurrently(t *testing.T) {
	t.Parallel()
	ids := func(prefix string, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("%s-%02d", prefix, i)
		}
		return out
	}
	tests := []struct {
		name                      string
		instances, clusters       int
		failing, vanished, public []string
	}{
		{"fewer snapshots than workers", 3, 2, []string{"orders-01"}, []string{"ledger-00"}, []string{"orders-02", "ledger-01"}},
		{"more snapshots than workers", 40, 25, []string{"orders-07", "ledger-24"}, []string{"orders-00", "orders-39", "ledger-12"}, []string{"orders-20", "ledger-03"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			set := func(names []string) map[string]bool {
				m := map[string]bool{}
				for _, n := range names {
					m[n] = true
				}
				return m
			}
			api := &gatedRDS{
				instances: ids("orders", tt.instances), clusters: ids("ledger", tt.clusters),
				failing: set(tt.failing), vanished: set(tt.vanished), public: set(tt.public),
				gate: min(attributeWorkers, tt.instances+tt.clusters), open: make(chan struct{}),
			}
			in, err := collect(context.Background(), api)
			if err != nil {
				t.Fatalf("collect: %v", err)
			}
			if api.peak != api.gate {
				t.Errorf("%d snapshots: at most %d attribute requests in flight, want %d (min of the snapshots and attributeWorkers)", tt.instances+tt.clusters, api.peak, api.gate)
			}
			var wantOrder, gotOrder []string
			for _, id := range append(slices.Clone(api.instances), api.clusters...) {
				if !api.vanished[id] {
					wantOrder = append(wantOrder, id)
				}
			}
			for _, f := range evaluate(checktest.Target("eu-west-1"), in) {
				gotOrder = append(gotOrder, f.ResourceID)
				want, op := check.Green, ""
				switch {
				case api.failing[f.ResourceID]:
					want, op = check.Error, "rds DescribeDBSnapshotAttributes: "
					if strings.HasPrefix(f.ResourceID, "ledger") {
						op = "rds DescribeDBClusterSnapshotAttributes: "
					}
				case api.public[f.ResourceID]:
					want = check.Red
				}
				if f.Status != want || (op != "" && !strings.Contains(f.Reason, op)) {
					t.Errorf("%s = %s (%q), want %s naming %q", f.ResourceID, f.Status, f.Reason, want, op)
				}
				if strings.Contains(f.Reason, "never were in flight") {
					t.Errorf("%s: %s", f.ResourceID, f.Reason)
				}
			}
			if !slices.Equal(gotOrder, wantOrder) {
				t.Errorf("findings in order %v, want the listing's order without the vanished ones %v", gotOrder, wantOrder)
			}
		})
	}
}
