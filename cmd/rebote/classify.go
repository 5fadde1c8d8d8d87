package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/servinetwork/rebote/handlers"
	"github.com/servinetwork/rebote/knowledge"
)

// classifyCmd is "rebote classify [--json] FILE...": it prints, per file,
// one JSON object per line with --json, or a summary in Spanish. "-" reads
// standard input. Nothing else goes to standard output.
func classifyCmd(args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rebote classify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print one JSON object per file and line")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("usage: rebote classify [--json] FILE... (- for standard input)")
	}
	cfg, _, err := parseConfig("classify", nil, getenv, stderr)
	if err != nil {
		return err
	}
	kb, err := knowledge.Load(cfg.Policy)
	if err != nil {
		return err
	}
	articleURL := func(slug string) string { return strings.TrimRight(cfg.PublicURL, "/") + "/errores/" + slug }
	enc := json.NewEncoder(stdout)
	failed := 0
	for _, name := range fs.Args() {
		text, err := readInput(name, stdin)
		if err != nil {
			fmt.Fprintf(stderr, "rebote: %s: %v\n", name, err)
			failed++
			continue
		}
		d := kb.Classify(text)
		if *asJSON {
			line := struct {
				File string `json:"file"`
				handlers.ClassifyResponse
			}{name, handlers.NewClassifyResponse(d, articleURL)}
			if err := enc.Encode(line); err != nil {
				return err
			}
			continue
		}
		printSummary(stdout, name, d)
	}
	if failed > 0 {
		return fmt.Errorf("%d file(s) could not be read", failed)
	}
	return nil
}

func readInput(name string, stdin io.Reader) (string, error) {
	var r io.Reader = stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return "", err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, knowledge.MaxPasteBytes+1))
	if err != nil {
		return "", err
	}
	if len(b) > knowledge.MaxPasteBytes {
		return "", fmt.Errorf("larger than %d bytes", knowledge.MaxPasteBytes)
	}
	return string(b), nil
}

// kindSummaries describe in Spanish the pastes that are not bounces.
var kindSummaries = map[knowledge.Kind]string{
	knowledge.KindNone:      "no parece un rebote",
	knowledge.KindAutoReply: "respuesta automática (fuera de la oficina): el mensaje sí llegó",
	knowledge.KindFeedback:  "queja de spam (informe ARF): el mensaje sí llegó",
	knowledge.KindDelivered: "confirmación de entrega: el mensaje llegó",
}

func printSummary(w io.Writer, name string, d knowledge.Diagnosis) {
	if !d.IsBounce() {
		fmt.Fprintf(w, "%s: %s\n", name, kindSummaries[d.Kind])
		return
	}
	fmt.Fprintf(w, "%s: rebote, %d destinatario(s) con problemas\n", name, len(d.Recipients))
	for _, v := range d.Recipients {
		addr := v.Address
		if addr == "" {
			addr = "(dirección no indicada)"
		}
		persistence := "definitivo"
		if v.Temporary {
			persistence = "temporal"
		}
		codes := strings.TrimSpace(v.ReplyCode + " " + v.Status)
		fmt.Fprintf(w, "  %s: %s [%s; %s; %s]\n", addr, v.Article.Title, v.Reason, orDash(codes), persistence)
		for _, a := range v.Advice {
			fmt.Fprintf(w, "    - %s\n", a)
		}
		fmt.Fprintf(w, "    Más información: /errores/%s\n", v.Article.Slug)
	}
}

func orDash(s string) string {
	if s == "" {
		return "sin código"
	}
	return s
}

// evalCmd is "rebote eval DIR": it scores the classifier against a folder
// of bounces with a labels.jsonl and prints the accuracy and confusions.
func evalCmd(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rebote eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	misses := fs.Bool("misses", false, "also list every file whose reason differs")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: rebote eval [--misses] DIR (a folder with labels.jsonl)")
	}
	cfg, _, err := parseConfig("eval", nil, getenv, stderr)
	if err != nil {
		return err
	}
	kb, err := knowledge.Load(cfg.Policy)
	if err != nil {
		return err
	}
	dir := os.DirFS(fs.Arg(0))
	for _, mode := range []knowledge.EvalMode{knowledge.EvalWhole, knowledge.EvalVisible, knowledge.EvalDiagnostic} {
		s, err := kb.Evaluate(dir, mode)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%-10s %4d files  reason %5.1f%%  status %5.1f%%  reply code %5.1f%%  (%d skipped)\n",
			mode, s.Files, s.Pct(s.Reason), s.Pct(s.Status), s.Pct(s.Reply), s.Skipped)
		if mode != knowledge.EvalWhole {
			continue
		}
		keys := make([]string, 0, len(s.Confusions))
		for k := range s.Confusions {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			if s.Confusions[keys[i]] != s.Confusions[keys[j]] {
				return s.Confusions[keys[i]] > s.Confusions[keys[j]]
			}
			return keys[i] < keys[j]
		})
		fmt.Fprintln(stdout, "confusions (label -> classifier):")
		for _, k := range keys {
			fmt.Fprintf(stdout, "  %3d  %s\n", s.Confusions[k], k)
		}
		if *misses {
			for _, m := range s.Misses {
				fmt.Fprintln(stdout, "  miss "+m)
			}
		}
	}
	return nil
}
