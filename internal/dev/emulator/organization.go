package emulator

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// Member is a member account to create in an emulated organization.
type Member struct {
	// Name is the account's name.
	Name string
	// Role, when set, is a role created in the account (the member role a
	// scanner assumes); an account without it cannot be entered, as on AWS
	// (see assumeOnlyExistingRoles).
	Role string
}

// memberTrustPolicy lets any principal of any account assume the role: the
// emulator checks no trust policy (nor any other policy).
const memberTrustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`

// CreateOrganization makes management (an account of the emulator at url)
// the management account of a new organization with the members, and
// returns the members' account IDs, in order.
func CreateOrganization(ctx context.Context, url, management string, members []Member) ([]string, error) {
	orgs := organizations.NewFromConfig(Config(url, management))
	if _, err := orgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		return nil, fmt.Errorf("organizations CreateOrganization: %w", err)
	}
	ids := make([]string, 0, len(members))
	for _, m := range members {
		out, err := orgs.CreateAccount(ctx, &organizations.CreateAccountInput{
			AccountName: aws.String(m.Name),
			Email:       aws.String(m.Name + "@example.com"),
		})
		if err != nil {
			return nil, fmt.Errorf("organizations CreateAccount %s: %w", m.Name, err)
		}
		// moto creates the account at once; AWS would answer IN_PROGRESS.
		id := aws.ToString(out.CreateAccountStatus.AccountId)
		if id == "" {
			return nil, fmt.Errorf("organizations CreateAccount %s: no account ID in the answer", m.Name)
		}
		ids = append(ids, id)
		if m.Role == "" {
			continue
		}
		if _, err := iam.NewFromConfig(Config(url, id)).CreateRole(ctx, &iam.CreateRoleInput{
			RoleName:                 aws.String(m.Role),
			AssumeRolePolicyDocument: aws.String(memberTrustPolicy),
		}); err != nil {
			return nil, fmt.Errorf("iam CreateRole %s in %s: %w", m.Role, id, err)
		}
	}
	return ids, nil
}
