#pragma once
// Worst-case cost of a Lua pattern match, computed before the match runs. Lua's matcher is C
// code that backtracks without ever reaching the count hook: string.find(("a"):rep(2000),
// "a*a*b") runs for seconds with no instruction counted. The sandbox charges this estimate to the
// instruction budget first and trips the budget when it does not fit.
//
// The estimate is an upper bound on the matcher's steps: every start position, times, for each
// quantified item, one more than the longest run of subject characters its class matches (the
// most alternatives backtracking can try there), times the cost of one attempt. Standard library
// only; no Lua types.

#include <string_view>

namespace sundial::rules::detail {

enum class PatternCall { Find, Match, Gmatch, Gsub };

// `start` is the 0-based offset the search starts at (already clamped to the subject). `plain`
// is find's fourth argument. Returns 0 for a malformed pattern (the matcher reports those itself).
double patternCost(PatternCall call, std::string_view subject, std::string_view pattern,
                   std::size_t start, bool plain);

}  // namespace sundial::rules::detail
