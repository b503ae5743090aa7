package demo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
)

// seedIdentities creates the IAM users a small team's account collects:
// a deploy user with an active key, a backup agent whose old key was
// deactivated after a fresh one was made, a console-only user, and a CI
// user whose key AWS found exposed (so AWS attached its quarantine policy).
//
// The emulator dates every key "now" and its root user never has MFA, so the
// demo shows green key rotation, IAM use green and root MFA red. The
// quarantine policy exists in the emulator only when it runs with
// MOTO_IAM_LOAD_MANAGED_POLICIES=true; without it that attachment is left
// out and the exposed-keys check shows its quarantine source green.
func seedIdentities(ctx context.Context, cfg aws.Config) error {
	client := iam.NewFromConfig(cfg)
	users := []struct {
		name string
		keys int
	}{
		{"demo-app-deployer", 1},
		{"demo-backup-agent", 2},
		{"demo-console-admin", 0},
		{"demo-ci-publisher", 1},
	}
	keyIDs := map[string][]string{}
	for _, u := range users {
		if _, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(u.name)}); err != nil {
			return err
		}
		for range u.keys {
			out, err := client.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(u.name)})
			if err != nil {
				return err
			}
			keyIDs[u.name] = append(keyIDs[u.name], aws.ToString(out.AccessKey.AccessKeyId))
		}
	}
	if _, err := client.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("demo-backup-agent"),
		AccessKeyId: aws.String(keyIDs["demo-backup-agent"][0]), Status: types.StatusTypeInactive}); err != nil {
		return err
	}
	_, err := client.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("demo-ci-publisher"),
		PolicyArn: aws.String("arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3")})
	if awsx.Is(err, awsx.KindNotFound) {
		// The emulator was started without its AWS managed policies.
		return nil
	}
	return err
}
