package hey

import (
	"errors"
	"strings"
)

// errShellSyntax marks a command that needs a shell: an unquoted operator,
// substitution or glob.
var errShellSyntax = errors.New("shell syntax")

// shellSpecial are the characters that, unquoted, make a command more
// than a list of words: operators, redirections, substitutions and line
// breaks. shellWordStart are special at the start of a word only (a
// comment, a home directory). Glob characters (* ? [) are kept as they
// are, as a shell does when no file matches: a URL's query needs no
// quotes.
const (
	shellSpecial   = "|&;<>()$`\n\r"
	shellWordStart = "#~"
)

// splitWords splits a command line into words as a POSIX shell would,
// for commands made of plain words only: single quotes keep everything,
// double quotes keep everything but \" \\ \$ \` (a $ or ` inside them is
// a substitution and an error), a backslash outside quotes escapes the next
// character. It returns errShellSyntax when the line needs a shell, and
// another error for an unterminated quote.
func splitWords(line string) ([]string, error) {
	s := &splitter{in: []rune(line)}
	for s.pos < len(s.in) {
		if err := s.step(); err != nil {
			return nil, err
		}
	}
	s.flush()
	return s.words, nil
}

type splitter struct {
	in     []rune
	pos    int
	words  []string
	cur    strings.Builder
	inWord bool
}

func (s *splitter) flush() {
	if s.inWord {
		s.words = append(s.words, s.cur.String())
		s.cur.Reset()
		s.inWord = false
	}
}

// step consumes one character, or one quoted section.
func (s *splitter) step() error {
	r := s.in[s.pos]
	s.pos++
	switch {
	case r == ' ' || r == '\t':
		s.flush()
	case r == '\'':
		s.inWord = true
		return s.single()
	case r == '"':
		s.inWord = true
		return s.double()
	case r == '\\':
		if s.pos == len(s.in) {
			return errors.New("the command ends with a backslash")
		}
		s.inWord = true
		s.cur.WriteRune(s.in[s.pos])
		s.pos++
	case strings.ContainsRune(shellSpecial, r) || !s.inWord && strings.ContainsRune(shellWordStart, r):
		return errShellSyntax
	default:
		s.inWord = true
		s.cur.WriteRune(r)
	}
	return nil
}

// single reads up to the closing single quote.
func (s *splitter) single() error {
	for ; s.pos < len(s.in); s.pos++ {
		if s.in[s.pos] == '\'' {
			s.pos++
			return nil
		}
		s.cur.WriteRune(s.in[s.pos])
	}
	return errors.New("unterminated single quote")
}

// double reads up to the closing double quote.
func (s *splitter) double() error {
	for ; s.pos < len(s.in); s.pos++ {
		switch r := s.in[s.pos]; {
		case r == '"':
			s.pos++
			return nil
		case r == '$' || r == '`':
			return errShellSyntax
		case r == '\\' && s.pos+1 < len(s.in) && strings.ContainsRune("\"\\$`", s.in[s.pos+1]):
			s.pos++
			s.cur.WriteRune(s.in[s.pos])
		default:
			s.cur.WriteRune(r)
		}
	}
	return errors.New("unterminated double quote")
}
