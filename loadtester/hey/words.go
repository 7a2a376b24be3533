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
	s := &splitter{in: line}
	for s.pos < len(s.in) {
		if err := s.step(); err != nil {
			return nil, err
		}
	}
	s.flush()
	return s.words, nil
}

type splitter struct {
	in     string // read byte by byte: every special character is ASCII
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
		s.cur.WriteByte(s.in[s.pos])
		s.pos++
	case strings.IndexByte(shellSpecial, r) >= 0 || !s.inWord && strings.IndexByte(shellWordStart, r) >= 0:
		return errShellSyntax
	default:
		s.inWord = true
		s.cur.WriteByte(r)
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
		s.cur.WriteByte(s.in[s.pos])
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
		case r == '\\' && s.pos+1 < len(s.in) && strings.IndexByte("\"\\$`", s.in[s.pos+1]) >= 0:
			s.pos++
			s.cur.WriteByte(s.in[s.pos])
		default:
			s.cur.WriteByte(r)
		}
	}
	return errors.New("unterminated double quote")
}
