package org

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

func TestScopeTargets(t *testing.T) {
	t.Parallel()
	const own = "999988887777"
	organization := []Account{{ID: "444455556666", Name: "prod"}, {ID: "111122223333", Name: "management"}, {ID: "777788889999", Name: "dev"}}
	sorted := []Account{{ID: "111122223333", Name: "management"}, {ID: "444455556666", Name: "prod"}, {ID: "777788889999", Name: "dev"}}
	listErr := errors.New("organizations ListAccounts: AccessDeniedException")
	ownErr := errors.New("sts GetCallerIdentity: ExpiredToken")
	for _, tt := range []struct {
		name    string
		scope   Scope
		ownErr  error
		listed  []Account
		listErr error
		want    []Account
		wantErr string
		asks    string // the source asked: "own", "list", or "" for a list of IDs
	}{
		{name: "own account", want: []Account{{ID: own}}, asks: "own"},
		{name: "own account unknown", ownErr: ownErr, wantErr: ownErr.Error(), asks: "own"},
		{name: "organization, sorted by ID, named", scope: Scope{Org: true}, listed: organization, want: sorted, asks: "list"},
		{name: "organization less exclusions", scope: Scope{Org: true, Exclude: []string{"111122223333", "000011112222"}}, listed: organization,
			want: sorted[1:], asks: "list"},
		{name: "organization not listed", scope: Scope{Org: true}, listErr: listErr, wantErr: listErr.Error(), asks: "list"},
		{name: "organization without active account", scope: Scope{Org: true}, wantErr: "no account left to scan", asks: "list"},
		{name: "organization all excluded", scope: Scope{Org: true, Exclude: []string{"111122223333", "444455556666", "777788889999"}}, listed: organization,
			wantErr: "no account left to scan", asks: "list"},
		{name: "list, sorted, each once", scope: Scope{IDs: []string{"444455556666", "111122223333", "444455556666"}},
			want: []Account{{ID: "111122223333"}, {ID: "444455556666"}}},
		{name: "list less exclusions", scope: Scope{IDs: []string{"444455556666", "111122223333"}, Exclude: []string{"444455556666"}},
			want: []Account{{ID: "111122223333"}}},
		{name: "list all excluded", scope: Scope{IDs: []string{"111122223333"}, Exclude: []string{"111122223333"}}, wantErr: "no account left to scan"},
	} {
		var asked string
		ownFn := func(context.Context) (string, error) { asked += "own"; return own, tt.ownErr }
		listFn := func(context.Context) ([]Account, error) { asked += "list"; return tt.listed, tt.listErr }
		got, err := tt.scope.Targets(context.Background(), ownFn, listFn)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("%s: Targets(%+v) = %v, %v; want error %q", tt.name, tt.scope, got, err, tt.wantErr)
			}
		} else if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Targets(%+v) = %v, %v; want %v", tt.name, tt.scope, got, err, tt.want)
		}
		if asked != tt.asks {
			t.Errorf("%s: Targets(%+v) asked %q, want %q", tt.name, tt.scope, asked, tt.asks)
		}
	}
	if !reflect.DeepEqual(organization[0], Account{ID: "444455556666", Name: "prod"}) {
		t.Errorf("Targets reordered the listed accounts in place: %v", organization)
	}
}
