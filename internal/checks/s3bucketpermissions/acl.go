package s3bucketpermissions

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// The ACL groups that stand for strangers: anyone on the internet, and
// anyone with any AWS account.
const (
	allUsersURI           = "http://acs.amazonaws.com/groups/global/AllUsers"
	authenticatedUsersURI = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
)

// aclExposure is what a bucket ACL lets a stranger do.
//
// Decisions for the permissions the spec does not name:
//   - FULL_CONTROL is READ + WRITE + READ_ACP + WRITE_ACP: list and
//     upload/delete.
//   - WRITE_ACP lets the stranger rewrite the ACL and grant themselves
//     FULL_CONTROL, so it counts as list and upload/delete (red).
//   - READ_ACP reveals the ACL itself (owner and grantee IDs), not object
//     names or data: it meets no alert criterion, so it sets no column and
//     no status, but the finding's reason names it.
type aclExposure struct {
	List         bool
	UploadDelete bool
	// Grants describes every grant to a stranger group, e.g. "WRITE to
	// Everyone (AllUsers)".
	Grants []string
}

// Public reports whether any grant goes to a stranger group.
func (e aclExposure) Public() bool { return len(e.Grants) > 0 }

// evaluateACL reads the grants of a bucket ACL.
func evaluateACL(grants []types.Grant) aclExposure {
	var e aclExposure
	for _, g := range grants {
		if g.Grantee == nil || g.Grantee.Type != types.TypeGroup || g.Grantee.URI == nil {
			continue
		}
		var who string
		switch *g.Grantee.URI {
		case allUsersURI:
			who = "Everyone (AllUsers)"
		case authenticatedUsersURI:
			who = "Any Authenticated AWS User (AuthenticatedUsers)"
		default:
			continue // e.g. the LogDelivery group: an AWS service, not a stranger
		}
		switch g.Permission {
		case types.PermissionRead:
			e.List = true
		case types.PermissionWrite:
			e.UploadDelete = true
		case types.PermissionFullControl, types.PermissionWriteAcp:
			e.List, e.UploadDelete = true, true
		case types.PermissionReadAcp:
		default:
			// A permission this code does not know: count it as the worst.
			e.List, e.UploadDelete = true, true
		}
		e.Grants = append(e.Grants, fmt.Sprintf("%s to %s", g.Permission, who))
	}
	return e
}
