//===- MemscopePass.cpp - the memscope module passes ------------------------===//
//
// Thin drivers: walk the module's functions and run each instrumentation
// family in a fixed order, then emit the site table's constructor.
//   1. collect the calls that get calling-context updates (user calls as
//      written, before anything is inserted);
//   2. allocation calls (twins / custom brackets);
//   3. destructor-style and cleanup calls (before 4: the cleanup rule needs
//      the call right before its lifetime.end);
//   4. scope exits and escapes;
//   5. calling context, for all functions once 2-4 are done everywhere
//      (calls to functions that can reach no event are skipped).
//
//===----------------------------------------------------------------------===//

#include "MemscopePass.h"
#include "MemscopeInternal.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Module.h"

using namespace llvm;

#define DEBUG_TYPE "memscope"

STATISTIC(NumSites, "memscope: site records emitted");
STATISTIC(NumLateSites, "memscope: site records emitted by the late pass");

namespace memscope {

namespace {
constexpr const char *DoneFlag = "memscope.instrumented";

/// Functions the pass must leave alone.
bool skipFunction(const Function &F) {
  return F.isDeclaration() || F.getName().starts_with("__memscope_") ||
         F.getName().starts_with("memscope.") ||
         F.hasFnAttribute(Attribute::Naked) ||
         F.hasFnAttribute(Attribute::DisableSanitizerInstrumentation);
}
} // namespace

PreservedAnalyses MemscopePass::run(Module &M, ModuleAnalysisManager &) {
  if (M.getModuleFlag(DoneFlag))
    return PreservedAnalyses::all(); // Already instrumented (e.g. re-run).
  Options O = Options::fromCommandLine();
  AllocTable Table(O);
  SiteTable Sites(M);
  Namer Names(M.getDataLayout());
  SmallVector<Function *, 64> Funcs;
  for (Function &F : M)
    if (!skipFunction(F))
      Funcs.push_back(&F);
  SmallPtrSet<const Function *, 16> HeapRet;
  if (O.Scope)
    HeapRet = heapReturningFunctions(M, Table);
  std::vector<std::pair<Function *, std::vector<WeakVH>>> CtxWork;
  for (Function *F : Funcs) {
    std::vector<WeakVH> CtxCalls;
    if (O.Ctx)
      CtxCalls = contextCalls(*F);
    HeapFacts Facts;
    if (O.Alloc)
      instrumentAllocCalls(*F, Table, Sites, Names, /*Late=*/false, Facts);
    if (O.Dtor)
      instrumentDtors(*F, O, Table, Sites, Names);
    if (O.Scope || O.Escape)
      instrumentLifetimes(*F, O, Sites, Names, std::move(Facts), Table,
                          HeapRet);
    if (O.Ctx)
      CtxWork.emplace_back(F, std::move(CtxCalls));
  }
  // Context last: which functions are quiet depends on all the rest.
  if (O.Ctx) {
    SmallPtrSet<const Function *, 32> Quiet = quietFunctions(M);
    for (auto &[F, Calls] : CtxWork)
      instrumentCallContext(*F, Calls, Quiet);
  }
  Sites.finish();
  NumSites += Sites.count();
  M.addModuleFlag(Module::Max, DoneFlag, 1);
  return Sites.count() || O.Ctx ? PreservedAnalyses::none()
                                : PreservedAnalyses::all();
}

PreservedAnalyses MemscopeLatePass::run(Module &M, ModuleAnalysisManager &) {
  Options O = Options::fromCommandLine();
  if (!O.Late || !O.Alloc)
    return PreservedAnalyses::all();
  AllocTable Table(O);
  SiteTable Sites(M);
  Namer Names(M.getDataLayout());
  for (Function &F : M) {
    if (skipFunction(F) || F.hasOptNone())
      continue;
    HeapFacts Facts;
    instrumentAllocCalls(F, Table, Sites, Names, /*Late=*/true, Facts);
  }
  Sites.finish();
  NumLateSites += Sites.count();
  return Sites.count() ? PreservedAnalyses::none() : PreservedAnalyses::all();
}

} // namespace memscope
