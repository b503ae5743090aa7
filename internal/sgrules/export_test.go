package sgrules

// JudgeRed is judgeRed for the external test package (emulator_test.go),
// which cannot see the package's unexported names.
var JudgeRed = judgeRed
