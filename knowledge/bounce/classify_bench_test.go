package bounce_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusTexts returns the Sisimai corpus files, or the project's fixtures
// when the corpus is not beside the repository.
func corpusTexts(tb testing.TB) []string {
	tb.Helper()
	names, _ := filepath.Glob(filepath.Join(sharedDir, "corpus", "sisimai", "*.eml"))
	if len(names) == 0 {
		if os.Getenv("REBOTE_REQUIRE_SHARED") != "" {
			tb.Fatal("the Sisimai corpus is required here (REBOTE_REQUIRE_SHARED is set)")
		}
		names, _ = filepath.Glob("testdata/bounces/*.txt")
	}
	texts := make([]string, 0, len(names))
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			tb.Fatal(err)
		}
		texts = append(texts, string(b))
	}
	return texts
}

// BenchmarkClassify classifies the whole corpus once per iteration; the
// bounces/s metric is the throughput on one core (run with -cpu 1).
func BenchmarkClassify(b *testing.B) {
	rd := mustReader(b)
	texts := corpusTexts(b)
	var bytes int64
	for _, t := range texts {
		bytes += int64(len(t))
	}
	b.SetBytes(bytes)
	b.ReportAllocs()
	// One pass before timing: the search index the reader falls back on is
	// built on first use, as in a server, which builds it at start.
	for _, t := range texts {
		rd.Classify(t)
	}
	b.ResetTimer()
	for b.Loop() {
		for _, t := range texts {
			rd.Classify(t)
		}
	}
	b.ReportMetric(float64(b.N*len(texts))/b.Elapsed().Seconds(), "bounces/s")
}

// BenchmarkClassifyHugePaste is a 1 MiB paste: a real bounce followed by
// a large pasted attachment, the worst case the web form accepts.
func BenchmarkClassifyHugePaste(b *testing.B) {
	rd := mustReader(b)
	huge := hugePaste()
	b.SetBytes(int64(len(huge)))
	b.ReportAllocs()
	for b.Loop() {
		rd.Classify(huge)
	}
}

func hugePaste() string {
	head := "<juan@example.net>: host mx.example.net[192.0.2.1] said: 550 5.1.1 <juan@example.net>: Recipient address rejected: User unknown (in reply to RCPT TO command)\n\n"
	line := "Lorem ipsum dolor sit amet 550 5.7.1 blocked using zen.spamhaus.org user@example.org consectetur adipiscing elit\n"
	return head + strings.Repeat(line, (1<<20-len(head))/len(line))
}
