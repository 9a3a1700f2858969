//===- MemscopeOptions.cpp - -memscope-* command-line options --------------===//
//
// All options of the pass in one place. They are hidden cl::opt, given to
// clang as `-mllvm -memscope-...` (the driver maps -fmemscope-... to them).
// docs/PASS.md documents each one.
//
//===----------------------------------------------------------------------===//

#include "MemscopeInternal.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace {
cl::opt<bool> ClAlloc("memscope-alloc", cl::Hidden, cl::init(true),
                      cl::desc("memscope: instrument allocation call sites"));
cl::opt<bool> ClScope("memscope-scope", cl::Hidden, cl::init(true),
                      cl::desc("memscope: scope exits of locals that held "
                               "allocation results"));
cl::opt<bool> ClEscape("memscope-escape", cl::Hidden, cl::init(true),
                       cl::desc("memscope: stores of local addresses into "
                                "non-local memory"));
cl::opt<bool> ClDtor("memscope-dtor", cl::Hidden, cl::init(true),
                     cl::desc("memscope: cleanup-attribute and "
                              "destructor-style calls"));
cl::opt<bool> ClCtx("memscope-ctx", cl::Hidden, cl::init(true),
                    cl::desc("memscope: keep the per-thread calling-context "
                             "value __memscope_ctx updated around calls"));
cl::opt<bool> ClLate("memscope-late", cl::Hidden, cl::init(true),
                     cl::desc("memscope: late pass for calls that became "
                              "direct during optimisation"));
cl::opt<std::string> ClDtorPatterns(
    "memscope-dtor-patterns", cl::Hidden,
    cl::init("*_free,*_destroy,*_release,*_unref,*_delete,*_dispose,"
             "*_cleanup,*_fini"),
    cl::desc("memscope: comma-separated glob patterns of destructor-style "
             "function names"));
cl::opt<std::string> ClAllocators(
    "memscope-allocators", cl::Hidden, cl::init(""),
    cl::desc("memscope: extra allocators as name=semantics, comma-separated "
             "(e.g. xmalloc=malloc,xfree=free,xrealloc=realloc)"));

std::vector<std::string> splitList(StringRef S) {
  SmallVector<StringRef, 8> Parts;
  S.split(Parts, ',', -1, /*KeepEmpty=*/false);
  std::vector<std::string> Out;
  for (StringRef P : Parts)
    if (!P.trim().empty())
      Out.push_back(P.trim().str());
  return Out;
}
} // namespace

namespace memscope {

Options Options::fromCommandLine() {
  Options O;
  O.Alloc = ClAlloc;
  O.Scope = ClScope;
  O.Escape = ClEscape;
  O.Dtor = ClDtor;
  O.Ctx = ClCtx;
  O.Late = ClLate;
  O.DtorPatterns = splitList(ClDtorPatterns);
  static bool Warned = false;
  for (const std::string &Item : splitList(ClAllocators)) {
    auto [Name, Sem] = StringRef(Item).split('=');
    if (Name.empty() || Sem.empty() || !lookupLibcAlloc(Sem)) {
      if (!Warned)
        errs() << "memscope: ignoring -memscope-allocators entry '" << Item
               << "' (expected name=<libc allocation function>)\n";
      continue;
    }
    O.Allocators.emplace_back(Name.str(), Sem.str());
  }
  Warned = true;
  return O;
}

bool globMatch(StringRef Pat, StringRef Name) {
  // Iterative matcher with single-star backtracking: linear in practice.
  size_t P = 0, N = 0, StarP = StringRef::npos, StarN = 0;
  while (N < Name.size()) {
    if (P < Pat.size() && (Pat[P] == '?' || Pat[P] == Name[N])) {
      ++P;
      ++N;
    } else if (P < Pat.size() && Pat[P] == '*') {
      StarP = P++;
      StarN = N;
    } else if (StarP != StringRef::npos) {
      P = StarP + 1;
      N = ++StarN;
    } else {
      return false;
    }
  }
  while (P < Pat.size() && Pat[P] == '*')
    ++P;
  return P == Pat.size();
}

} // namespace memscope
