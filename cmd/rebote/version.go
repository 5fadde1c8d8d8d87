package main

import "runtime/debug"

// version is the release, stamped at build time:
//
//	go build -ldflags "-X main.version=v1.2.0" ./cmd/rebote
//
// The Dockerfile stamps its VERSION build argument.
var version = "dev"

// buildVersion is the stamped version or, for an unstamped build, what
// the Go toolchain recorded (see vcsVersion).
func buildVersion() string {
	if version != "dev" && version != "" {
		return version
	}
	info, _ := debug.ReadBuildInfo()
	return vcsVersion(info)
}

// vcsVersion is the commit a build from a git checkout (go build, go run)
// was made from, shortened, with "-dirty" when the tree had changes; "dev"
// when there is none (go test, a build without .git).
func vcsVersion(info *debug.BuildInfo) string {
	if info == nil {
		return "dev"
	}
	var revision, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if revision == "" {
		return "dev"
	}
	if len(revision) > 12 {
		revision = revision[:12]
	}
	if modified == "true" {
		revision += "-dirty"
	}
	return revision
}
