package knowledge

import (
	"fmt"
	"regexp"
	"strings"
)

// parseBody reads the Markdown subset described in FORMATO.md: a summary
// paragraph, then "## " sections holding paragraphs, "### " subheadings,
// "- " lists, "1. " numbered lists and ``` code blocks. Raw HTML is not
// interpreted anywhere: the web layer escapes every run of text, so an
// article cannot inject markup. firstLine is the body's line number in the
// file, for error messages.
func parseBody(body string, firstLine int) (summary []Inline, sections []Section, err error) {
	lines := strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n")
	var (
		cur       *Section
		para      []string
		list      *Block
		code      []string
		inCode    bool
		codeStart int
	)
	errorf := func(i int, format string, args ...any) error {
		return fmt.Errorf("line %d: %s", firstLine+i, fmt.Sprintf(format, args...))
	}
	addBlock := func(b Block) error {
		if cur == nil {
			return fmt.Errorf("only a summary paragraph may come before the first section")
		}
		cur.Blocks = append(cur.Blocks, b)
		return nil
	}
	flush := func(i int) error {
		if len(para) > 0 {
			text := strings.Join(para, " ")
			para = nil
			if cur == nil {
				if summary != nil {
					return errorf(i, "the summary must be a single paragraph")
				}
				summary = parseInline(text)
				return nil
			}
			if err := addBlock(Block{Kind: BlockParagraph, Inlines: parseInline(text)}); err != nil {
				return errorf(i, "%v", err)
			}
		}
		if list != nil {
			b := *list
			list = nil
			if err := addBlock(b); err != nil {
				return errorf(i, "%v", err)
			}
		}
		return nil
	}

	for i, line := range lines {
		trimmed := strings.TrimSpace(line)
		if inCode {
			if trimmed == "```" {
				inCode = false
				if err := addBlock(Block{Kind: BlockCode, Code: strings.Join(code, "\n")}); err != nil {
					return nil, nil, errorf(i, "%v", err)
				}
				code = nil
				continue
			}
			code = append(code, strings.TrimRight(line, " \t"))
			continue
		}
		switch {
		case strings.HasPrefix(trimmed, "```"):
			if err := flush(i); err != nil {
				return nil, nil, err
			}
			inCode, codeStart = true, i
		case trimmed == "":
			if err := flush(i); err != nil {
				return nil, nil, err
			}
		case strings.HasPrefix(trimmed, "## "):
			if err := flush(i); err != nil {
				return nil, nil, err
			}
			sections = append(sections, Section{Title: strings.TrimSpace(trimmed[3:])})
			cur = &sections[len(sections)-1]
		case strings.HasPrefix(trimmed, "### "):
			if err := flush(i); err != nil {
				return nil, nil, err
			}
			if err := addBlock(Block{Kind: BlockHeading, Inlines: parseInline(strings.TrimSpace(trimmed[4:]))}); err != nil {
				return nil, nil, errorf(i, "%v", err)
			}
		case strings.HasPrefix(trimmed, "#"):
			return nil, nil, errorf(i, "only ## and ### headings are allowed")
		case strings.HasPrefix(trimmed, "- ") || strings.HasPrefix(trimmed, "* "):
			if err := startItem(&para, &list, BlockList, trimmed[2:], flush, i); err != nil {
				return nil, nil, err
			}
		case isStep(trimmed):
			_, rest, _ := strings.Cut(trimmed, ". ")
			if err := startItem(&para, &list, BlockSteps, rest, flush, i); err != nil {
				return nil, nil, err
			}
		case list != nil && (strings.HasPrefix(line, "  ") || strings.HasPrefix(line, "\t")):
			// continuation of the last list item
			last := &list.Items[len(list.Items)-1]
			*last = append(*last, parseInline(" "+trimmed)...)
		default:
			if list != nil {
				if err := flush(i); err != nil {
					return nil, nil, err
				}
			}
			para = append(para, trimmed)
		}
	}
	if inCode {
		return nil, nil, errorf(codeStart, "code block is never closed with ```")
	}
	if err := flush(len(lines)); err != nil {
		return nil, nil, err
	}
	return summary, sections, nil
}

// startItem begins a list item, closing a paragraph or a list of the other
// kind first.
func startItem(para *[]string, list **Block, kind BlockKind, text string, flush func(int) error, i int) error {
	if len(*para) > 0 || (*list != nil && (*list).Kind != kind) {
		if err := flush(i); err != nil {
			return err
		}
	}
	if *list == nil {
		*list = &Block{Kind: kind}
	}
	(*list).Items = append((*list).Items, parseInline(strings.TrimSpace(text)))
	return nil
}

func isStep(s string) bool {
	n, rest, ok := strings.Cut(s, ". ")
	return ok && isDigits(n) && len(n) <= 2 && rest != ""
}

// parseInline splits text into plain, **strong**, `code` and [link](url)
// runs. Unbalanced markers are kept as plain text.
func parseInline(s string) []Inline {
	var out []Inline
	var plain strings.Builder
	emit := func(in Inline) {
		if plain.Len() > 0 {
			out = append(out, Inline{Kind: InlineText, Text: plain.String()})
			plain.Reset()
		}
		out = append(out, in)
	}
	for i := 0; i < len(s); {
		switch {
		case s[i] == '`':
			if j := strings.IndexByte(s[i+1:], '`'); j >= 0 {
				emit(Inline{Kind: InlineCode, Text: s[i+1 : i+1+j]})
				i += j + 2
				continue
			}
		case strings.HasPrefix(s[i:], "**"):
			if j := strings.Index(s[i+2:], "**"); j > 0 {
				emit(Inline{Kind: InlineStrong, Text: s[i+2 : i+2+j]})
				i += j + 4
				continue
			}
		case s[i] == '[':
			if j := strings.Index(s[i:], "]("); j > 0 {
				if k := strings.IndexByte(s[i+j:], ')'); k > 0 {
					emit(Inline{Kind: InlineLink, Text: s[i+1 : i+j], URL: s[i+j+2 : i+j+k]})
					i += j + k + 1
					continue
				}
			}
		}
		plain.WriteByte(s[i])
		i++
	}
	if plain.Len() > 0 {
		out = append(out, Inline{Kind: InlineText, Text: plain.String()})
	}
	return linkBareURLs(out)
}

var bareURLRe = regexp.MustCompile(`https://[^\s<>()]+[^\s<>().,;:!?»”'"]`)

// linkBareURLs turns URLs written as plain text (the support address filled
// in from the policy, say) into links.
func linkBareURLs(ins []Inline) []Inline {
	var out []Inline
	for _, in := range ins {
		if in.Kind != InlineText || !strings.Contains(in.Text, "https://") {
			out = append(out, in)
			continue
		}
		rest := in.Text
		for _, loc := range bareURLRe.FindAllStringIndex(in.Text, -1) {
			start, end := loc[0]-(len(in.Text)-len(rest)), loc[1]-(len(in.Text)-len(rest))
			if start > 0 {
				out = append(out, Inline{Kind: InlineText, Text: rest[:start]})
			}
			u := rest[start:end]
			out = append(out, Inline{Kind: InlineLink, Text: u, URL: u})
			rest = rest[end:]
		}
		if rest != "" {
			out = append(out, Inline{Kind: InlineText, Text: rest})
		}
	}
	return out
}

// PlainText joins inline runs without their markup.
func PlainText(ins []Inline) string {
	var b strings.Builder
	for _, in := range ins {
		b.WriteString(in.Text)
	}
	return b.String()
}
