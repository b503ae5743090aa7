package orchestrator

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/secadvisor/secadvisor/internal/pipeline"
)

// TestSweep: a mapping is turned off only when its queue has no message
// visible, in flight or delayed, and it was not switched within sweepGrace;
// one whose queue holds messages is never turned off (and is turned on again
// if it was off); a queue or mapping that cannot be read is left as it is; a
// failed switch is reported after the others were swept.
func TestSweep(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	old := now.Add(-2 * time.Hour)
	tests := []struct {
		name      string
		counts    [3]int // visible, in flight, delayed; -1: attribute missing
		attrErr   error
		mapping   fakeMapping
		wantState string
		want      string // the SweepSummary list the check lands in
	}{
		{"drained, on", [3]int{0, 0, 0}, nil, fakeMapping{state: stateEnabled, lastModified: old}, stateDisabled, "disabled"},
		{"visible messages", [3]int{3, 0, 0}, nil, fakeMapping{state: stateEnabled, lastModified: old}, stateEnabled, "busy"},
		{"messages in flight", [3]int{0, 1, 0}, nil, fakeMapping{state: stateEnabled, lastModified: old}, stateEnabled, "busy"},
		{"delayed messages", [3]int{0, 0, 1}, nil, fakeMapping{state: stateEnabled, lastModified: old}, stateEnabled, "busy"},
		{"drained, already off", [3]int{0, 0, 0}, nil, fakeMapping{state: stateDisabled, lastModified: old}, stateDisabled, ""},
		{"drained, turning off", [3]int{0, 0, 0}, nil, fakeMapping{state: stateDisabling, lastModified: old}, stateDisabling, ""},
		{"drained, enabled minutes ago", [3]int{0, 0, 0}, nil, fakeMapping{state: stateEnabled, lastModified: now.Add(-5 * time.Minute)}, stateEnabled, "recent"},
		{"messages, mapping off", [3]int{7, 0, 0}, nil, fakeMapping{state: stateDisabled, lastModified: old}, stateEnabled, "enabled"},
		{"queue unreadable", [3]int{0, 0, 0}, apiError("AccessDenied"), fakeMapping{state: stateEnabled, lastModified: old}, stateEnabled, "failed"},
		{"count missing", [3]int{0, -1, 0}, nil, fakeMapping{state: stateEnabled, lastModified: old}, stateEnabled, "failed"},
		{"mapping unreadable", [3]int{0, 0, 0}, nil, fakeMapping{state: stateEnabled, lastModified: old, getErr: apiError("AccessDeniedException")}, stateEnabled, "failed"},
		{"disable denied", [3]int{0, 0, 0}, nil, fakeMapping{state: stateEnabled, lastModified: old, updateErr: apiError("AccessDeniedException")}, stateEnabled, "failed"},
	}
	// All cases in one sweep: a failure must not stop the others.
	catalog := testCatalog()
	fake := &fakeSQS{counts: map[string][3]int{}, attrErr: map[string]error{}}
	queues, mappings, states := map[string]string{}, map[string]string{}, map[string]*fakeMapping{}
	ids := make([]string, len(tests))
	for i, tt := range tests {
		id := catalog[0].ID + string(rune('a'+i))
		ids[i] = id
		queues[id], mappings[id] = "q-"+id, "uuid-"+id
		fake.counts["q-"+id] = tt.counts
		if tt.attrErr != nil {
			fake.attrErr["q-"+id] = tt.attrErr
		}
		m := tt.mapping
		states["uuid-"+id] = &m
	}
	lambda := withLambda(fake, now, states)
	o := &Orchestrator{Checks: catalog, SQS: fake, Queues: queues, Mappings: mappings, Lambda: lambda, Now: func() time.Time { return now }, sleep: noSleep}
	summary, err := o.Handle(context.Background(), events.EventBridgeEvent{DetailType: pipeline.SweepDetailType})
	if err == nil {
		t.Errorf("sweep error = nil, want the failures reported")
	}
	if summary.Sweep == nil {
		t.Fatalf("summary %+v has no sweep", summary)
	}
	lists := map[string][]string{"disabled": summary.Sweep.Disabled, "enabled": summary.Sweep.Enabled, "busy": summary.Sweep.Busy,
		"recent": summary.Sweep.Recent, "failed": summary.Sweep.Failed}
	for i, tt := range tests {
		id := ids[i]
		if got := lambda.state("uuid-" + id); got != tt.wantState {
			t.Errorf("%s (counts %v, mapping %s): mapping state %s, want %s", tt.name, tt.counts, tt.mapping.state, got, tt.wantState)
		}
		var in []string
		for name, list := range lists {
			for _, listed := range list {
				if listed == id {
					in = append(in, name)
				}
			}
		}
		if want := []string{tt.want}; tt.want == "" && len(in) != 0 || tt.want != "" && !reflect.DeepEqual(in, want) {
			t.Errorf("%s: listed as %q, want %q", tt.name, in, tt.want)
		}
		if tt.want == "failed" && !strings.Contains(err.Error(), id+": ") {
			t.Errorf("%s: sweep error %v does not name %s", tt.name, err, id)
		}
	}
}

// TestSweepAllDrained: nothing fails, no error.
func TestSweepAllDrained(t *testing.T) {
	t.Parallel()
	catalog := testCatalog()
	fake := &fakeSQS{counts: map[string][3]int{"q-a": {}, "q-b": {}}}
	lambda := withLambda(fake, time.Time{}, map[string]*fakeMapping{"uuid-a": {state: stateEnabled}, "uuid-b": {state: stateDisabled}})
	o := &Orchestrator{Checks: catalog, SQS: fake, Queues: map[string]string{catalog[0].ID: "q-a", catalog[1].ID: "q-b"},
		Mappings: map[string]string{catalog[0].ID: "uuid-a", catalog[1].ID: "uuid-b"}, Lambda: lambda}
	summary, err := o.Sweep(context.Background())
	if err != nil || !reflect.DeepEqual(summary, SweepSummary{Disabled: []string{catalog[0].ID}}) {
		t.Errorf("Sweep = %+v, %v; want %s disabled", summary, err, catalog[0].ID)
	}
	if lambda.updates != 1 {
		t.Errorf("%d updates, want 1 (the mapping already off is left alone)", lambda.updates)
	}
}
