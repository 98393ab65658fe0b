/*
 * luapat_test.c -- the bounded pattern functions against Lua's own.
 *
 * Every row is a Lua expression evaluated twice: in a state with Lua's
 * string library and in one where luapat_open() replaced find, match,
 * gmatch and gsub.  Both run the same chunk text, so results and error
 * messages (which name the function from the call site) must be equal
 * byte for byte.  `want`, when set, must occur in Lua's answer: it pins
 * down what the row is for, so a row cannot silently test nothing.
 *
 * Then the guarantees Lua does not have: hostile patterns stop with the
 * step error quickly, the budget is per call, sizes are bounded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "sandbox/luapat.h"

/* Helpers defined in both states.  S serialises any results with their
 * types (numbers with their subtype, strings quoted with %q); R runs a
 * function under pcall and serialises what it gave; G collects what a
 * gmatch loop yields (at most 50 rounds, so a loop bug fails, not hangs). */
static const char prelude[] =
    "local function ser(v)\n"
    "  local t = type(v)\n"
    "  if t == 'string' then return string.format('%q', v) end\n"
    "  if t == 'number' then\n"
    "    return (math.type(v) == 'integer' and 'int:' or 'float:') .. v\n"
    "  end\n"
    "  if t == 'boolean' or t == 'nil' then return tostring(v) end\n"
    "  return t\n"
    "end\n"
    "function S(...)\n"
    "  local out = { 'n=' .. select('#', ...) }\n"
    "  for i = 1, select('#', ...) do\n"
    "    out[#out + 1] = ser((select(i, ...)))\n"
    "  end\n"
    "  return table.concat(out, ' ')\n"
    "end\n"
    "function R(f) return S(pcall(f)) end\n"
    "function G(s, p, init)\n"
    "  local out, it = {}, string.gmatch(s, p, init)\n"
    "  for _ = 1, 50 do\n"
    "    local r = table.pack(it())\n"
    "    if r[1] == nil then break end\n"
    "    out[#out + 1] = S(table.unpack(r, 1, r.n))\n"
    "  end\n"
    "  return table.concat(out, '; ')\n"
    "end\n"
    "local t = {}\n"
    "for i = 0, 255 do t[#t + 1] = string.char(i) end\n"
    "ALL = table.concat(t)\n"
    "A300 = string.rep('a', 300)\n";

struct row {
    const char *expr; /* a Lua expression */
    const char *want; /* must occur in Lua's serialised answer, or NULL */
};

static const struct row rows[] = {
    /* malformed patterns and the errors Lua raises for them */
    { "string.find('abc', '%')", "(ends with '%')" },
    { "string.find('abc', 'a%')", "(ends with '%')" },
    { "string.match('abc', '[a')", "missing ']'" },
    { "string.match('abc', '[')", "missing ']'" },
    { "string.match('abc', '[^')", "missing ']'" },
    { "string.match('abc', '[^]')", "missing ']'" },
    { "string.match('abc', '[]')", "missing ']'" },
    { "string.match('abc', '[%')", "missing ']'" },
    { "string.match('abc', '[%]')", "missing ']'" },
    { "string.match('abc', '[a-%]')", "missing ']'" },
    { "string.match('xyz', 'x[a')", "missing ']'" },
    { "string.match('xyz', 'q[a')", "true" }, /* never reached */
    { "string.find('abc', '(a')", "unfinished capture" },
    { "string.match('abc', '(')", "unfinished capture" },
    { "string.match('abc', '((a)')", "unfinished capture" },
    { "string.find('abc', '.)')", "invalid pattern capture" },
    { "string.find('abc', '(a))')", "invalid pattern capture" },
    { "string.find('abc', '%b')", "missing arguments to '%b'" },
    { "string.find('abc', '%ba')", "missing arguments to '%b'" },
    { "string.find('abc', '%f')", "missing '[' after '%f' in pattern" },
    { "string.find('abc', '%fa')", "missing '[' after '%f' in pattern" },
    { "string.find('abc', '%f[a')", "missing ']'" },
    { "string.find('abc', '%1')", "invalid capture index %1" },
    { "string.find('abc', '%0')", "invalid capture index %0" },
    { "string.find('abc', '(a)%2')", "invalid capture index %2" },
    { "string.find('abc', '(a%1)')", "invalid capture index %1" },
    { "string.find('abc', '%9')", "invalid capture index %9" },
    { "string.find('abc', string.rep('()', 33))", "too many captures" },
    { "string.find('abc', string.rep('()', 32))", "n=35" },
    { "string.match(A300, string.rep('(a)', 33))", "too many captures" },
    { "string.match(A300, string.rep('a?', 198))", "true" },
    { "string.match(A300, string.rep('a?', 199))", NULL },
    { "string.match(A300, string.rep('a?', 200))", "pattern too complex" },
    { "string.match(A300, string.rep('a?', 250))", "pattern too complex" },
    { "string.match('', string.rep('a?', 250))", "true" },
    { "string.match(A300, string.rep('a*', 250))", "true" },
    { "string.match(A300, string.rep('a*b?', 120))", NULL },
    { "string.match(A300, string.rep('(a*)', 20))", NULL },
    { "string.match(A300, string.rep('(a', 20) .. string.rep(')', 20))", NULL },
    { "string.match('abc', '%bx')", "missing arguments" },
    /* argument checking, in Lua's order */
    { "string.find()", "bad argument #1" },
    { "string.find('a')", "bad argument #2" },
    { "string.find(nil, 'a')", "bad argument #1" },
    { "string.find({}, 'a')", "string expected, got table" },
    { "string.find('abc', 'b', 1.5)", "no integer representation" },
    { "string.find('abc', 'b', 'x')", "bad argument #3" },
    { "string.find('abc', 'b', '2')", "int:2" },
    { "string.match('abc', {})", "bad argument #2" },
    { "string.gmatch()", "bad argument #1" },
    { "string.gmatch('a', nil)", "bad argument #2" },
    { "string.gmatch('a', 'a', 'z')", "bad argument #3" },
    { "string.gsub('abc', '%w')", "got no value" },
    { "string.gsub('abc', '%w', nil)", "got nil" },
    { "string.gsub('abc', '%w', true)", "string/function/table expected" },
    { "string.gsub('abc', '%w', 'x', 'y')", "bad argument #4" },
    { "string.gsub('abc', '%w', true, 'y')", "bad argument #4" },
    { "string.gsub('abc', '%w', 'x', 1.5)", "no integer representation" },
    { "string.gsub('abc', '(', '%w', 1)", NULL },
    { "('abc'):find(1, 'x')", NULL },
    { "('abc'):gsub()", "bad argument #1" },
    /* find: plain search, init, anchors */
    { "string.find('hello world', 'o w')", "int:5 int:7" },
    { "string.find('hello world', 'o', 6)", "int:8" },
    { "string.find('hello', '')", "int:1 int:0" },
    { "string.find('hello', '', 6)", "int:6 int:5" },
    { "string.find('hello', '', 7)", "true nil" },
    { "string.find('hello', 'l', -2)", "int:4" },
    { "string.find('hello', 'l', -100)", "int:3" },
    { "string.find('hello', 'h', 0)", "int:1" },
    { "string.find('hello', 'l', math.maxinteger)", "nil" },
    { "string.find('hello', 'l', math.mininteger)", "int:3" },
    { "string.find('', '')", "int:1 int:0" },
    { "string.find('', 'a')", "nil" },
    { "string.find('', '.')", "nil" },
    { "string.find('a.b', '.', 1, true)", "int:2 int:2" },
    { "string.find('a.b', '%.')", "int:2 int:2" },
    { "string.find('a+b', '+', 1, true)", "int:2" },
    { "string.find('a+b', 'a+b')", "nil" },
    { "string.find('aab', 'a+b')", "int:1 int:3" },
    { "string.find('abc', 'b', 1, 'yes')", "int:2" },
    { "string.find('a(b', '(', 1, 1)", "int:2" },
    { "string.find('abc', 'b', nil, false)", "int:2" },
    { "string.find('a\\0b', '\\0')", "int:2 int:2" },
    { "string.find('a\\0b', '%z')", "int:2 int:2" },
    { "string.find('a\\0bz', '[%z]')", "int:2 int:2" },
    { "string.find('a\\0b', '.%z*b')", "int:1" },
    { "string.find(12345, 34)", "int:3 int:4" },
    { "string.find(1.5, '%.')", "int:2" },
    { "('hello'):find('l')", "int:3" },
    { "('hello'):find('l', 4)", "int:4" },
    { "string.find('abc', '^b')", "nil" },
    { "string.find('abc', '^a')", "int:1 int:1" },
    { "string.find('abc', '^b', 2)", "int:2" },
    { "string.find('abc', 'c$')", "int:3 int:3" },
    { "string.find('abc', 'b$')", "nil" },
    { "string.find('a$b', '$b')", "int:2 int:3" },
    { "string.find('a$b', 'a$b')", "int:1 int:3" },
    { "string.find('a$$', '$*$')", NULL },
    { "string.find('abc', '^')", "int:1 int:0" },
    { "string.find('abc', '$')", "int:4 int:3" },
    { "string.find('^abc', '^^a')", "int:1 int:2" },
    { "string.find('a^b', 'a^b')", "int:1 int:3" },
    { "string.find('hello world', '(o)(r)')", "\"o\" \"r\"" },
    { "string.find('hello', '()ll()')", "int:3 int:5" },
    { "string.find('hello', 'l+', 1)", "int:3 int:4" },
    /* match: captures and quantifiers */
    { "string.match('hello', '()ll()')", "int:3 int:5" },
    { "string.match('key=value', '(%w+)=(%w+)')", "\"value\"" },
    { "string.match('2024-01-05', '(%d+)-(%d+)-(%d+)')", "\"05\"" },
    { "string.match('hello', '.-l')", "\"hel\"" },
    { "string.match('hello', '.*l')", "\"hell\"" },
    { "string.match('hello', 'l+')", "\"ll\"" },
    { "string.match('hello', 'x*')", "\"\"" },
    { "string.match('hello', 'h?e')", "\"he\"" },
    { "string.match('ello', 'h?e')", "\"e\"" },
    { "string.match('aaa', 'a-b')", "nil" },
    { "string.match('aaab', 'a-b')", "\"aaab\"" },
    { "string.match('aaab', '^(a-)(a*)b$')", "\"aaa\"" },
    { "string.match('  x y  ', '^%s*(.-)%s*$')", "\"x y\"" },
    { "string.match('abc', '((a)(b))')", "\"ab\" \"a\" \"b\"" },
    { "string.match('abc', '(a()b)')", "int:2" },
    { "string.match('abc', '()')", "int:1" },
    { "string.match('hello', 'l', 4)", "\"l\"" },
    { "string.match('hello', '^l', 3)", "\"l\"" },
    { "string.match('hello', '.', -1)", "\"o\"" },
    { "string.match('hello', '.', 6)", "nil" },
    { "string.match('hello', '()', 6)", "int:6" },
    { "string.match('hello', '()', 7)", "nil" },
    { "string.match('hello', '(h)(e)(l)(l)(o)')", "\"o\"" },
    { "string.match('a+b', 'a%+b')", "\"a+b\"" },
    { "string.match('x = 10', '(%w+)%s*=%s*(%d+)')", "\"10\"" },
    { "string.match('abc', '.-$')", "\"abc\"" },
    { "string.match('abc', 'a.-')", "\"a\"" },
    { "string.match('aXb', 'a?X?b?')", "\"aXb\"" },
    { "string.match('b', 'a?b')", "\"b\"" },
    { "string.match('abc', 'a+?')", NULL },
    { "string.match('a+', 'a+?')", NULL },
    { "string.match('a*b', 'a**')", NULL },
    { "string.match('--', '--')", NULL },
    { "string.match('x-', 'x-$')", NULL },
    { "string.match('(x)', '%(x%)')", "\"(x)\"" },
    { "string.match('[x]', '%[x%]')", "\"[x]\"" },
    { "string.match('a.b', '%w%.%w')", "\"a.b\"" },
    /* character classes over every byte, and their complements */
    { "string.gsub(ALL, '%a', '')", "int:52" },
    { "string.gsub(ALL, '%A', '')", "int:204" },
    { "string.gsub(ALL, '%c', '')", NULL },
    { "string.gsub(ALL, '%C', '')", NULL },
    { "string.gsub(ALL, '%d', '')", "int:10" },
    { "string.gsub(ALL, '%D', '')", NULL },
    { "string.gsub(ALL, '%g', '')", NULL },
    { "string.gsub(ALL, '%G', '')", NULL },
    { "string.gsub(ALL, '%l', '')", "int:26" },
    { "string.gsub(ALL, '%L', '')", NULL },
    { "string.gsub(ALL, '%p', '')", NULL },
    { "string.gsub(ALL, '%P', '')", NULL },
    { "string.gsub(ALL, '%s', '')", "int:6" },
    { "string.gsub(ALL, '%S', '')", NULL },
    { "string.gsub(ALL, '%u', '')", "int:26" },
    { "string.gsub(ALL, '%U', '')", NULL },
    { "string.gsub(ALL, '%w', '')", "int:62" },
    { "string.gsub(ALL, '%W', '')", NULL },
    { "string.gsub(ALL, '%x', '')", "int:22" },
    { "string.gsub(ALL, '%X', '')", NULL },
    { "string.gsub(ALL, '.', '')", "int:256" },
    { "string.gsub(ALL, '%z', '')", "int:1" },
    { "string.gsub(ALL, '%Z', '')", "int:255" },
    { "string.gsub(ALL, '%%', '')", "int:1" },
    { "string.gsub(ALL, '%]', '')", "int:1" },
    { "string.gsub(ALL, '[%w_]', '')", "int:63" },
    { "string.match('caf\\xe9', '%a+')", "\"caf\"" },
    /* sets */
    { "string.gsub(ALL, '[abc]', '')", "int:3" },
    { "string.gsub(ALL, '[^abc]', '')", "int:253" },
    { "string.gsub(ALL, '[a-c]', '')", "int:3" },
    { "string.gsub(ALL, '[z-a]', '')", "int:0" },
    { "string.gsub(ALL, '[a-]', '')", "int:2" },
    { "string.gsub(ALL, '[-a]', '')", "int:2" },
    { "string.gsub(ALL, '[a%-z]', '')", "int:3" },
    { "string.gsub(ALL, '[%a-z]', '')", NULL },
    { "string.gsub(ALL, '[%]]', '')", "int:1" },
    { "string.gsub(ALL, '[]]', '')", "int:1" },
    { "string.gsub(ALL, '[]a]', '')", "int:2" },
    { "string.gsub(ALL, '[^]]', '')", "int:255" },
    { "string.gsub(ALL, '[^^]', '')", "int:255" },
    { "string.gsub(ALL, '[a^]', '')", "int:2" },
    { "string.gsub(ALL, '[a-%%]', '')", NULL },
    { "string.gsub(ALL, '[%%-a]', '')", NULL },
    { "string.gsub(ALL, '[%1]', '')", "int:1" },
    { "string.gsub(ALL, '[\\200-\\255]', '')", "int:56" },
    { "string.gsub(ALL, '[\\0-\\31]', '')", "int:32" },
    { "string.gsub(ALL, '[%d%u]', '')", "int:36" },
    { "string.gsub(ALL, '[^%s%p]', '')", NULL },
    { "string.gsub(ALL, '[-]', '')", "int:1" },
    { "string.gsub(ALL, '[a-b-c]', '')", NULL },
    { "string.match('x]y', '[x]]')", NULL },
    { "string.match('hello world', '[^%s]+')", "\"hello\"" },
    { "string.match('a1b2', '[%d]+')", "\"1\"" },
    /* %b */
    { "string.find('f(a(b)c) g(h)', '%b()')", "int:2 int:8" },
    { "string.gsub('f(a(b)c) g(h)', '%b()', '[]')", "\"f[] g[]\"" },
    { "string.match('((a)', '%b()')", "\"(a)\"" },
    { "string.match('(((', '%b()')", "nil" },
    { "string.match('\"a\" \"b\"', '%b\"\"')", "\"\\\"a\\\"\"" },
    { "string.match('xaaxa', '%bxx')", NULL },
    { "string.match('[x]', '%b[]*')", NULL },
    { "string.match('', '%b()')", "nil" },
    { "string.match('a\\0b\\0', '%b\\0\\0')", NULL },
    /* %f */
    { "string.find('hello', '%f[%l]')", "int:1 int:0" },
    { "string.find('HELLO world', '%f[%l]%l+')", "int:7 int:11" },
    { "string.gsub('THE (quick) fox', '%f[%a]%a+', 'W')", "int:3" },
    { "string.find('abc', '%f[%z]')", "int:4 int:3" },
    { "string.find('abc', '%f[\\0]')", "int:4 int:3" },
    { "string.find('abc', '%f[%A]')", "int:4" },
    { "string.find('ab', '%f[^a]')", "int:2" },
    { "string.match('THE (quick) fox', '%f[%a]%a+', 5)", "\"quick\"" },
    { "string.find('a b', '%f[%s]')", "int:2" },
    { "G('THE (quick) fox', '%f[%a]%a+')", "fox" },
    /* back references */
    { "string.match('aa', '(a)%1')", "\"a\"" },
    { "string.match([[say \"hi\" or 'no']], '([\"\\'])(.-)%1')", "\"hi\"" },
    { "string.match('abcabc', '(abc)%1')", "\"abc\"" },
    { "string.match('ab', '()%1')", "nil" },
    { "string.match('xyzxy', '(.+)%1')", NULL },
    { "string.gsub('aa bb cd', '(%w)%1', '<%0>')", "int:2" },
    { "string.match('abab', '((a)b)%2')", NULL },
    { "string.match('abcb', '(a)(b)c%2')", "\"a\" \"b\"" },
    /* gmatch */
    { "G('hello world from lua', '%a+')", "lua" },
    { "G('k1=v1, k2=v2', '(%w+)=(%w+)')", "v2" },
    { "G('abc', '')", NULL },
    { "G('abc', 'a*')", NULL },
    { "G('aaa', 'a-')", NULL },
    { "G('ab', 'a*')", NULL },
    { "G('hello', '()l')", "int:4" },
    { "G('abc', '^a')", "" },
    { "G('^a^a', '^a')", "^a" },
    { "G('abc', '.', 2)", "c" },
    { "G('abc', '.', -1)", "c" },
    { "G('abc', '.', 10)", "" },
    { "G('abc', '()', 4)", "int:4" },
    { "G('abc', '()', 5)", "" },
    { "G('abc', '.', 0)", "a" },
    { "G('abc', '(')", "unfinished capture" },
    { "G('abc', '[')", "missing ']'" },
    { "G(123, 2)", "2" },
    { "G('a,b,,c', '([^,]*)')", NULL },
    { "G('one two', '%a+', 3)", "e" },
    { "(function() local it = string.gmatch('ab', '.')"
      " return it(), it(), it(), it() end)()",
      NULL },
    { "(function() local it = string.gmatch('ab', '(a)')"
      " return it('ignored', 5), it() end)()",
      NULL },
    { "(function() local n = 0 for a, b in string.gmatch('a=1,b=2',"
      " '(%w)=(%w)') do n = n + b end return n end)()",
      "int:3" },
    /* gsub: string replacements */
    { "string.gsub('hello world', 'o', '0')", "\"hell0 w0rld\" int:2" },
    { "string.gsub('hello world', 'o', '0', 1)", "int:1" },
    { "string.gsub('hello world', 'o', '0', 0)", "int:0" },
    { "string.gsub('hello world', 'o', '0', -1)", "int:0" },
    { "string.gsub('hello world', 'o', '0', math.maxinteger)", "int:2" },
    { "string.gsub('hello', '', '-')", "\"-h-e-l-l-o-\" int:6" },
    { "string.gsub('abc', '%w', '%0%0')", "\"aabbcc\"" },
    { "string.gsub('abc', '%w', '%1')", "\"abc\"" },
    { "string.gsub('abc', '%w', '%2')", "invalid capture index %2" },
    { "string.gsub('hello world', '(%w+)', '<%1>')", "<hello>" },
    { "string.gsub('hello world', '(%w+) (%w+)', '%2 %1')", "world hello" },
    { "string.gsub('abc', 'b', '%%')", "\"a%c\"" },
    { "string.gsub('abc', 'b', '%')", "invalid use of '%'" },
    { "string.gsub('abc', 'b', '%x')", "invalid use of '%'" },
    { "string.gsub('abc', 'b', '100%')", "invalid use of '%'" },
    { "string.gsub('abc', 'b', '%\\0')", "invalid use of '%'" },
    { "string.gsub('abc', 'x', '%')", "int:0" },
    { "string.gsub('abc', '()b', '%1')", "\"a2c\"" },
    { "string.gsub('abc', '(b)()', '%2%1')", "\"a3bc\"" },
    { "string.gsub('abc', 'b', 5)", "\"a5c\"" },
    { "string.gsub('abc', 'b', 5.5)", "\"a5.5c\"" },
    { "string.gsub('abc', '(', 'x')", NULL },
    { "string.gsub('abc', '(', '%1')", "unfinished capture" },
    { "string.gsub('abc', '(b', '%0')", NULL },
    { "string.gsub(string.rep('ab', 2000), '()b', '%1,')", "int:2000" },
    { "#string.gsub(string.rep('a', 10000), 'a', 'bb')", "int:20000" },
    { "string.gsub('abc', '^%w', 'x')", "\"xbc\" int:1" },
    { "string.gsub('abc', '^', 'x')", "\"xabc\"" },
    { "string.gsub('abc', '$', 'x')", "\"abcx\"" },
    { "string.gsub('abc', '^$', 'x')", "int:0" },
    { "string.gsub('', '^$', 'x')", "\"x\" int:1" },
    { "string.gsub('', '', 'x')", "\"x\" int:1" },
    { "string.gsub('abc', 'x*', '-')", "\"-a-b-c-\" int:4" },
    { "string.gsub('abc', 'b*', '-')", NULL },
    { "string.gsub('hello world', '%s*', '_')", NULL },
    { "string.gsub('abc', '.-', '-')", NULL },
    { "string.gsub('a,b,,c', ',', ';')", "int:3" },
    { "string.gsub(123, 2, 9)", "\"193\"" },
    { "string.gsub('abc', '^^', 'x')", NULL },
    { "string.gsub('^abc', '^^', 'x')", "\"xabc\"" },
    { "string.gsub('a b c', ' ', '', 1)", "\"ab c\"" },
    { "string.gsub('abc', '', '', 2)", "int:2" },
    /* gsub: tables and functions */
    { "string.gsub('abc', 'b', {b='B'})", "\"aBc\"" },
    { "string.gsub('abc', '%w', {a=1, b=true})", "(a boolean)" },
    { "string.gsub('abc', '%w', {a=false})", "\"abc\" int:3" },
    { "string.gsub('abc', '%w', {})", "\"abc\" int:3" },
    { "string.gsub('abc', '(%w)(%w)', {a='X'})", "\"Xc\"" },
    { "string.gsub('abc', '()%w', {[1]='one'})", "\"onebc\"" },
    { "string.gsub('abc', '%w', {a={}})", "(a table)" },
    { "string.gsub('abc', '%w', setmetatable({}, {__index ="
      " function(t, k) return k:upper() end}))",
      "\"ABC\"" },
    { "string.gsub('abc', '%w', string.upper)", "\"ABC\"" },
    { "string.gsub('abc', '%w', function(c) return nil end)", "\"abc\"" },
    { "string.gsub('abc', '%w', function(c) return false end)", NULL },
    { "string.gsub('abc', '%w', function(c) return {} end)", "(a table)" },
    { "string.gsub('abc', '%w', function(c) return 1 end)", "\"111\"" },
    { "string.gsub('abc', '%w', function(c) return 1.5 end)", NULL },
    { "string.gsub('abc', '(%w)()', function(c, p) return c .. p end)",
      "\"a2b3c4\"" },
    { "string.gsub('abc', '%w', function(...) return select('#', ...) end)",
      "\"111\"" },
    { "string.gsub('abc', '()', function(...) return select('#', ...) end)",
      NULL },
    { "string.gsub('abc', '%w', function(c) error('boom') end)", "boom" },
    { "string.gsub('abc', '%w', function(c) error({}) end)", "false table" },
    { "string.gsub('abc', '(', function(...) end)", "unfinished capture" },
    { "string.gsub('a1b22', '%d+', function(d) return"
      " string.find('x' .. d, '%d') end)",
      NULL },
    { "string.gsub('a b', '%a', function(c) return"
      " (string.gsub(c, '.', '%0%0')) end)",
      "\"aa bb\"" },
    { "string.gsub('abc', '%w', function(c) if c == 'b' then"
      " return 'B' end end, 2)",
      "\"aBc\" int:2" },
    { "string.gsub('hello', 'l', {l=false}, 1)", "\"hello\" int:1" },
    { "select(2, string.gsub('abcabc', 'b', ''))", "int:2" },
    { "('x'):rep(3):gsub('x', 'y')", "\"yyy\"" },
};

static lua_State *ref_L, *my_L;

static void
run_prelude(lua_State *L)
{
    if (luaL_loadbuffer(L, prelude, sizeof(prelude) - 1, "=prelude") !=
            LUA_OK ||
        lua_pcall(L, 0, 0, 0) != LUA_OK)
        fail_msg("prelude: %s", lua_tostring(L, -1));
}

static lua_State *
new_state(const struct luapat_limits *lim)
{
    lua_State *L = luaL_newstate();

    assert_non_null(L);
    luaL_openlibs(L);
    if (lim != NULL) {
        lua_getglobal(L, "string"); /* stack: string */
        luapat_open(L, lim);
        lua_pop(L, 1);
    }
    run_prelude(L);
    return L;
}

/* Evaluate `return <code>` as chunk "=row" in L; the result (or the error
 * text) is copied to out. */
static int
eval(lua_State *L, const char *code, char *out, size_t outlen)
{
    size_t len;
    const char *s;
    int rc;

    rc = luaL_loadbuffer(L, code, strlen(code), "=row");
    if (rc == LUA_OK)
        rc = lua_pcall(L, 0, 1, 0);
    s = lua_tolstring(L, -1, &len);
    snprintf(out, outlen, "%.*s", s != NULL ? (int)len : 6,
             s != NULL ? s : "(nil)");
    lua_pop(L, 1);
    return rc;
}

/* The answers of both states to one expression, compared; a difference
 * is printed and counted, so that one run shows all of them. */
static int
compare_expr(const char *expr, const char *want, const char *where)
{
    static char code[4096], a[65536], b[65536];

    snprintf(code, sizeof(code), "return R(function() return %s end)", expr);
    if (eval(ref_L, code, a, sizeof(a)) != LUA_OK) {
        print_error("%s: Lua failed to run %s: %s\n", where, expr, a);
        return 1;
    }
    if (eval(my_L, code, b, sizeof(b)) != LUA_OK) {
        print_error("%s: luapat failed to run %s: %s\n", where, expr, b);
        return 1;
    }
    if (strcmp(a, b) != 0) {
        print_error("%s: %s\n  lua:    %s\n  luapat: %s\n", where, expr, a, b);
        return 1;
    }
    if (want != NULL && strstr(a, want) == NULL) {
        print_error("%s: %s gave %s, which lacks %s\n", where, expr, a, want);
        return 1;
    }
    return 0;
}

static const struct luapat_limits default_limits = { 200000, 65536, 512 };

static int
setup_states(void **state)
{
    (void)state;
    ref_L = new_state(NULL);
    my_L = new_state(&default_limits);
    return 0;
}

static int
teardown_states(void **state)
{
    (void)state;
    lua_close(ref_L);
    lua_close(my_L);
    return 0;
}

static void
test_installed(void **state)
{
    (void)state;
    /* Lua's functions have no upvalues; ours carry the limits. */
    lua_getglobal(my_L, "string");
    lua_getfield(my_L, -1, "gsub");
    assert_non_null(lua_getupvalue(my_L, -1, 1));
    lua_pop(my_L, 3);
    lua_getglobal(ref_L, "string");
    lua_getfield(ref_L, -1, "gsub");
    assert_null(lua_getupvalue(ref_L, -1, 1));
    lua_pop(ref_L, 2);
}

static void
test_rows(void **state)
{
    size_t i;
    int bad = 0;
    char where[32];

    (void)state;
    assert_true(sizeof(rows) / sizeof(rows[0]) >= 150);
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        snprintf(where, sizeof(where), "row %zu", i);
        bad += compare_expr(rows[i].expr, rows[i].want, where);
    }
    assert_int_equal(bad, 0);
    print_message("  %zu rows equal to Lua's\n", i);
}

/* Every class and set against a subject of all bytes, through each of the
 * four functions: a grid rather than rows, for breadth. */
static void
test_class_grid(void **state)
{
    static const char *const items[] = {
        "%a",    "%c",    "%d",   "%g",    "%l",    "%p",    "%s",   "%u",
        "%w",    "%x",    "%A",   "%C",    "%D",    "%G",    "%L",   "%P",
        "%S",    "%U",    "%W",   "%X",    ".",     "[%a_]", "[^a]", "[0-9]",
        "[%]-]", "[]-a]", "[a-]", "[%w-]", "%f[%w]"
    };
    /* Each item goes between the two halves. */
    static const char *const around[][2] = {
        { "string.find(ALL, '", "+', 10)" },
        { "string.match(ALL, '(", "*)()', 60)" },
        { "G(ALL, '", "+')" },
        { "string.gsub(ALL, '", "-', '<%0>')" },
        { "string.gsub(ALL, '(", "?)', '%1|', 100)" },
    };
    char expr[256], where[48];
    size_t i, j, n = 0;
    int bad = 0;

    (void)state;
    for (i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
        for (j = 0; j < sizeof(around) / sizeof(around[0]); j++) {
            snprintf(expr, sizeof(expr), "%s%s%s", around[j][0], items[i],
                     around[j][1]);
            snprintf(where, sizeof(where), "grid %zu/%zu", i, j);
            bad += compare_expr(expr, NULL, where);
            n++;
        }
    }
    assert_int_equal(bad, 0);
    print_message("  %zu grid cells equal to Lua's\n", n);
}

static double
elapsed_ms(const struct timespec *t0)
{
    struct timespec t1;

    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
           (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Hostile patterns that would run for seconds or longer in Lua's matcher:
 * each must fail with the step error, fast.  200 ms is a generous upper
 * bound (sanitizer builds included); the default budget needs a few ms. */
static const char *const hostile[] = {
    "string.find(string.rep('a', 5000), string.rep('a-', 20) .. 'b')",
    "string.find(string.rep('a', 5000), string.rep('(.-)', 10) .. 'x')",
    "string.find(string.rep('a', 5000), string.rep('a*', 20) .. 'b')",
    "string.match(string.rep('a', 5000), string.rep('a*', 20) .. 'b')",
    "string.gsub(string.rep('a', 5000), string.rep('a*', 20) .. 'b', '')",
    "G(string.rep('a', 5000), string.rep('a-', 20) .. 'b')",
    "string.find(string.rep('a', 60000), '.-.-.-.-b')",
    "string.find(string.rep('(', 60000), '%b()')",
    "string.find(string.rep('a', 60000), '(.*)%1b')",
    "string.find(string.rep('a', 60000), '(.-)%1b')",
    "string.gsub(string.rep('a', 60000), '.-b', 'x')",
    "string.find(string.rep('a', 60000), string.rep('a', 500) .. '.b')",
    "string.find(string.rep('c', 60000), '[' .. string.rep('d', 500)"
    " .. 'c]*x')",
};

static void
test_hostile_patterns_stop(void **state)
{
    lua_State *L = new_state(&default_limits);
    char code[512], out[512];
    struct timespec t0;
    double ms;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
        snprintf(code, sizeof(code), "return R(function() return %s end)",
                 hostile[i]);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        assert_int_equal(eval(L, code, out, sizeof(out)), LUA_OK);
        ms = elapsed_ms(&t0);
        if (strncmp(out, "n=2 false \"", 11) != 0 ||
            strstr(out, "pattern too complex for the rule sandbox (step "
                        "limit 200000)\"") == NULL)
            fail_msg("hostile %zu: %s gave %s", i, hostile[i], out);
        if (ms > 200.0)
            fail_msg("hostile %zu: %s took %.1f ms", i, hostile[i], ms);
        print_message("  hostile %zu stopped after %.2f ms\n", i, ms);
    }
    lua_close(L);
}

/* The same kinds of pattern on short subjects finish, with Lua's answer. */
static const char *const tame[] = {
    "string.find(string.rep('a', 8) .. 'b', string.rep('a-', 20) .. 'b')",
    "string.find(string.rep('a', 6), string.rep('a-', 8) .. 'b')",
    "string.find(string.rep('a', 12) .. 'x', string.rep('(.-)', 10) .. 'x')",
    "string.find(string.rep('a', 5), string.rep('(.-)', 4) .. 'x')",
    "string.find(string.rep('a', 30) .. 'b', string.rep('a*', 20) .. 'b')",
    "string.find(string.rep('a', 6), string.rep('a*', 5) .. 'b')",
    "string.gsub(string.rep('a', 10), string.rep('a*', 4) .. 'b', '')",
    "G(string.rep('a', 8), string.rep('a-', 3) .. 'b')",
    "string.find(string.rep('(', 100), '%b()')",
    "string.find(string.rep('a', 100), '(.*)%1b')",
    "string.find(string.rep('a', 1000) .. 'b', '.-.-.-.-b')",
    "string.gsub(string.rep('ab', 1000), '.-b', 'x')",
};

static void
test_tame_patterns_finish(void **state)
{
    size_t i;
    char where[32];

    (void)state;
    for (i = 0; i < sizeof(tame) / sizeof(tame[0]); i++) {
        snprintf(where, sizeof(where), "tame %zu", i);
        assert_int_equal(compare_expr(tame[i], "n=", where), 0);
    }
    /* And none of them was an error in Lua either. */
    for (i = 0; i < sizeof(tame) / sizeof(tame[0]); i++) {
        char code[512], out[4096];

        snprintf(code, sizeof(code), "return R(function() return %s end)",
                 tame[i]);
        assert_int_equal(eval(my_L, code, out, sizeof(out)), LUA_OK);
        if (strncmp(out, "n=", 2) != 0 || strstr(out, " true") == NULL)
            fail_msg("tame %zu failed: %s", i, out);
    }
}

struct limit_row {
    const char *expr;
    const char *want; /* prefix of the answer, without "row:1: " */
};

/* Small limits: 2000 steps, 100-byte subjects, 10-byte patterns. */
static const struct limit_row limit_rows[] = {
    /* sizes: at the limit is fine, one over is refused, for all four */
    { "string.find(string.rep('a', 100), 'a', 1, true)", "n=3 true int:1" },
    { "string.find(string.rep('a', 101), 'a', 1, true)",
      "n=2 false \"subject too long for the rule sandbox (101 bytes, "
      "limit 100)\"" },
    { "string.match(string.rep('a', 101), 'a')", "n=2 false \"subject" },
    { "string.gsub(string.rep('a', 101), 'a', 'b')", "n=2 false \"subject" },
    { "string.gmatch(string.rep('a', 101), 'a')", "n=2 false \"subject" },
    { "string.find('abc', '0123456789')", "n=2 true nil" },
    { "string.find('abc', '0123456789x')",
      "n=2 false \"pattern too long for the rule sandbox (11 bytes, "
      "limit 10)\"" },
    { "string.match('abc', '^0123456789')", "n=2 false \"pattern too long" },
    { "string.gsub('abc', '0123456789x', '')", "n=2 false \"pattern too" },
    { "string.gmatch('abc', '0123456789x')", "n=2 false \"pattern too" },
    /* argument errors still come first, as in Lua */
    { "string.find(string.rep('a', 101))", "n=2 false \"bad argument #2" },
    /* the budget: a miss at the first item costs a step per position */
    { "string.find(string.rep('a', 99), '[b]')", "n=2 true nil" },
    { "(function() local s = string.rep('a', 99) for i = 1, 100 do"
      " assert(string.find(s, '[b]') == nil) end return 'ok' end)()",
      "n=2 true \"ok\"" },
    { "string.find(string.rep('a', 99), '[b][b]')", "n=2 true nil" },
    { "string.find(string.rep('a', 99), string.rep('a-', 3) .. 'b')",
      "n=2 false \"pattern too complex for the rule sandbox (step limit "
      "2000)\"" },
    /* gmatch pays per iterator call: many cheap rounds are fine ... */
    { "(function() local n = 0 for _ in string.gmatch(string.rep('a', 100),"
      " '()') do n = n + 1 end for _ in string.gmatch(string.rep('a', 100),"
      " '[a]') do n = n + 1 end return n end)()",
      "n=2 true int:201" },
    /* ... one expensive round is not */
    { "(function() for _ in string.gmatch(string.rep('a', 99),"
      " 'a-a-a-a-b') do end end)()",
      "n=2 false \"pattern too complex" },
    /* a replacement function gets its own budget for nested calls */
    { "string.gsub('aa', '%a', function(c) return"
      " tostring(string.find(string.rep('a', 99), '[b]')) end)",
      "n=3 true \"nilnil\" int:2" },
    /* the error is an ordinary error: pcall catches it, the state works */
    { "(function() local ok = pcall(string.find, string.rep('a', 99),"
      " 'a-a-a-a-b') return ok, string.find('xay', 'a') end)()",
      "n=4 true false int:2 int:2" },
};

/* Remove the "row:1: " that luaL_error puts before messages raised for a
 * call from the row's Lua code. */
static void
drop_where(char *s)
{
    static const char where[] = "row:1: ";
    char *hit;

    while ((hit = strstr(s, where)) != NULL)
        memmove(hit, hit + sizeof(where) - 1,
                strlen(hit + sizeof(where) - 1) + 1);
}

static void
test_limits(void **state)
{
    static const struct luapat_limits small = { 2000, 100, 10 };
    lua_State *L = new_state(&small);
    char code[1024], out[1024];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(limit_rows) / sizeof(limit_rows[0]); i++) {
        snprintf(code, sizeof(code), "return R(function() return %s end)",
                 limit_rows[i].expr);
        assert_int_equal(eval(L, code, out, sizeof(out)), LUA_OK);
        drop_where(out);
        if (strncmp(out, limit_rows[i].want, strlen(limit_rows[i].want)) != 0)
            fail_msg("limit row %zu: %s\n  got:  %s\n  want: %s", i,
                     limit_rows[i].expr, out, limit_rows[i].want);
    }
    lua_close(L);
}

/* A gsub over many positions pays once for all of them. */
static void
test_gsub_budget_is_per_call(void **state)
{
    static const struct luapat_limits lim = { 2000, 65536, 512 };
    lua_State *L = new_state(&lim);
    char out[1024];

    (void)state;
    assert_int_equal(eval(L,
                          "return R(function() return string.gsub("
                          "string.rep('a', 500), '[b]', '') end)",
                          out, sizeof(out)),
                     LUA_OK);
    assert_int_equal(strncmp(out, "n=3 true \"aaaa", 14), 0);
    assert_non_null(strstr(out, "aaaa\" int:0"));
    assert_int_equal(eval(L,
                          "return R(function() return string.gsub("
                          "string.rep('a', 3000), '[b]', '') end)",
                          out, sizeof(out)),
                     LUA_OK);
    drop_where(out);
    assert_string_equal(out, "n=2 false \"pattern too complex for the rule "
                             "sandbox (step limit 2000)\"");
    lua_close(L);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_installed),
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_class_grid),
        cmocka_unit_test(test_hostile_patterns_stop),
        cmocka_unit_test(test_tame_patterns_finish),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_gsub_budget_is_per_call),
    };

    return cmocka_run_group_tests(tests, setup_states, teardown_states);
}
