package emulator

import (
	"context"
	"crypto/sha256"
	"encoding/base32"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go/middleware"
)

// motoServerCertificateID is the one ID moto 5.2.1 gives every IAM server
// certificate.
const motoServerCertificateID = "ASCACKCEVSQ6C2EXAMPLE"

// iamServerCertificateIDs gives each IAM server certificate its own ID.
//
// Gap: moto 5.2.1 answers every UploadServerCertificate,
// ListServerCertificates and GetServerCertificate with the same
// ServerCertificateId, so a CloudFront distribution's IAMCertificateId cannot
// tell two certificates apart. The patch replaces that constant with an ID
// derived from the certificate's ARN, shaped like AWS's ("ASCA" and 17
// upper-case letters and digits), the same in all three answers.
func iamServerCertificateIDs() func(*middleware.Stack) error {
	return afterSuccess("emulatorServerCertificateIDs", func(_ context.Context, _, result any) error {
		switch result := result.(type) {
		case *iam.UploadServerCertificateOutput:
			fixServerCertificateID(result.ServerCertificateMetadata)
		case *iam.GetServerCertificateOutput:
			if result.ServerCertificate != nil {
				fixServerCertificateID(result.ServerCertificate.ServerCertificateMetadata)
			}
		case *iam.ListServerCertificatesOutput:
			for i := range result.ServerCertificateMetadataList {
				fixServerCertificateID(&result.ServerCertificateMetadataList[i])
			}
		}
		return nil
	})
}

func fixServerCertificateID(m *types.ServerCertificateMetadata) {
	if m == nil || aws.ToString(m.ServerCertificateId) != motoServerCertificateID {
		return
	}
	m.ServerCertificateId = aws.String(ServerCertificateID(aws.ToString(m.Arn)))
}

// ServerCertificateID is the ID the emulator patch gives the IAM server
// certificate with this ARN.
func ServerCertificateID(arn string) string {
	sum := sha256.Sum256([]byte(arn))
	return "ASCA" + base32.StdEncoding.EncodeToString(sum[:])[:17]
}
