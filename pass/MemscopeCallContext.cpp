//===- MemscopeCallContext.cpp - probabilistic calling context -------------===//
//
// Bond & McKinley's probabilistic calling context: a per-thread 64-bit value
// V (__memscope_ctx, initial-exec TLS, defined by the runtime) summarises
// the instrumented call path. In a function with user calls:
//     old = V                      once, at the entry
//     V = old*3 + id               before each user call
//     V = old                      before each event (a runtime call) and
//                                  before each return
// so V equals the function's own context wherever it records an event, and
// equals the caller's value again when it returns (callbacks from
// uninstrumented code, e.g. qsort's comparator, leave V as they found it).
// One store per call instead of a save/restore pair around it: the first
// version restored after every call and cost +30% instructions on Lua.
// id is a 31-bit hash of the module's source file, the function and the
// call's index in it, so it is the same with and without -g.
// Exceptions: no store between a tail-position call and its `ret` (the
// backend can still emit a tail call; V is one level deeper until the
// caller's next store), and a musttail call gets the restore before it.
//
// Calls to "quiet" functions get no update: functions defined here (with an
// exact definition) that can reach no event, i.e. call nothing but
// intrinsics and other quiet functions. Nothing is recorded while they run,
// so V would never be read (binary-trees' check(): 1/3 of its calls).
// Calls to a short list of libc functions that never allocate (string,
// memory, ctype and math functions) are quiet as well.
//
//===----------------------------------------------------------------------===//

#include "MemscopeInternal.h"
#include "memscope_abi.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/Support/xxhash.h"

using namespace llvm;

namespace memscope {

namespace {
GlobalVariable *ctxVariable(Module &M) {
  Type *I64 = Type::getInt64Ty(M.getContext());
  if (GlobalVariable *G = M.getNamedGlobal(MEMSCOPE_CTX_SYMBOL))
    return G;
  auto *G = new GlobalVariable(M, I64, false, GlobalValue::ExternalLinkage,
                               nullptr, MEMSCOPE_CTX_SYMBOL, nullptr,
                               GlobalValue::InitialExecTLSModel);
  G->setAlignment(Align(8));
  return G;
}

bool inTailPosition(const CallInst &CI) {
  const Instruction *Next = CI.getNextNode();
  auto *R = dyn_cast_or_null<ReturnInst>(Next);
  return R && (!R->getReturnValue() || R->getReturnValue() == &CI);
}
} // namespace

/// libc functions that never allocate or call back: calls to them are
/// quiet too (no event can happen while they run, interposed or not).
static bool isQuietLibc(StringRef Name) {
  static const char *const Names[] = {
      "strlen", "strnlen", "strcmp", "strncmp", "strcasecmp", "strncasecmp",
      "strcoll", "memcmp", "memchr", "memrchr", "strchr", "strrchr", "strstr",
      "strspn", "strcspn", "strpbrk", "memcpy", "memmove", "memset", "strcpy",
      "strncpy", "stpcpy", "strcat", "strncat", "abs", "labs", "llabs",
      "toupper", "tolower", "__errno_location", "__ctype_b_loc",
      "__ctype_toupper_loc", "__ctype_tolower_loc", "sqrt", "floor", "ceil",
      "fabs", "fmod", "pow", "exp", "log", "log2", "log10", "sin", "cos",
      "tan", "asin", "acos", "atan", "atan2", "frexp", "ldexp", "trunc",
      "round", "sqrtf", "floorf", "ceilf", "fabsf", "fmodf", "powf"};
  for (const char *N : Names)
    if (Name == N)
      return true;
  return false;
}

SmallPtrSet<const Function *, 32> quietFunctions(Module &M) {
  // Reverse call graph in one walk; then spread "may reach an event" from
  // the functions that call something unknown up to their callers.
  DenseMap<const Function *, SmallVector<const Function *, 4>> Callers;
  SmallVector<const Function *, 32> Work;
  SmallPtrSet<const Function *, 32> Loud;
  for (const Function &F : M) {
    if (F.isDeclaration())
      continue;
    bool Unknown = !F.hasExactDefinition();
    for (const Instruction &I : instructions(F)) {
      auto *CB = dyn_cast<CallBase>(&I);
      if (!CB || CB->isInlineAsm() || isa<IntrinsicInst>(CB))
        continue;
      const Function *Callee = CB->getCalledFunction();
      if (Callee && Callee->isDeclaration() && isQuietLibc(Callee->getName()))
        continue;
      if (!Callee || Callee->isDeclaration())
        Unknown = true;
      else
        Callers[Callee].push_back(&F);
    }
    if (Unknown && Loud.insert(&F).second)
      Work.push_back(&F);
  }
  while (!Work.empty()) {
    const Function *F = Work.pop_back_val();
    for (const Function *C : Callers.lookup(F))
      if (Loud.insert(C).second)
        Work.push_back(C);
  }
  SmallPtrSet<const Function *, 32> Quiet;
  for (const Function &F : M)
    if (F.isDeclaration() ? isQuietLibc(F.getName()) : !Loud.count(&F))
      Quiet.insert(&F);
  return Quiet;
}

std::vector<WeakVH> contextCalls(Function &F) {
  std::vector<WeakVH> Calls;
  for (Instruction &I : instructions(F)) {
    auto *CI = dyn_cast<CallInst>(&I);
    if (!CI || CI->isMustTailCall() || isRuntimeCall(*CI) ||
        CI->hasFnAttr(Attribute::ReturnsTwice))
      continue;
    if (Function *Callee = CI->getCalledFunction())
      if (Callee->hasFnAttribute(Attribute::ReturnsTwice))
        continue;
    Calls.push_back(CI);
  }
  return Calls;
}

void instrumentCallContext(Function &F, ArrayRef<WeakVH> Handles,
                           const SmallPtrSetImpl<const Function *> &Quiet) {
  std::vector<CallInst *> Calls;
  for (const WeakVH &H : Handles)
    if (auto *CI = dyn_cast_or_null<CallInst>(H))
      Calls.push_back(CI); // replaced allocation calls are gone (null)
  Module &M = *F.getParent();
  Type *I64 = Type::getInt64Ty(M.getContext());
  std::string Key = M.getSourceFileName() + ":" + F.getName().str() + ":";
  GlobalVariable *Ctx = nullptr;
  LoadInst *Old = nullptr;
  Value *Base = nullptr;
  SmallPtrSet<const CallInst *, 16> Set;
  unsigned Index = 0;
  for (CallInst *CI : Calls) {
    // 31-bit ids: `old*3 + id` then encodes as one lea with a 32-bit
    // displacement instead of a 10-byte movabs and an add.
    uint64_t Id = xxh3_64bits(Key + std::to_string(Index++)) & 0x7fffffffu;
    if (const Function *Callee = CI->getCalledFunction())
      if (Quiet.count(Callee))
        continue;
    if (!Old) {
      Ctx = ctxVariable(M);
      IRBuilder<> E(&*F.getEntryBlock().getFirstInsertionPt());
      Old = E.CreateLoad(I64, Ctx, "memscope.ctx");
      Base = E.CreateMul(Old, ConstantInt::get(I64, 3));
    }
    IRBuilder<> B(CI);
    B.CreateStore(B.CreateAdd(Base, ConstantInt::get(I64, Id)), Ctx);
    Set.insert(CI);
  }
  if (!Old)
    return; // V never changes in F: nothing to restore.
  // Restore points: events (runtime calls) and returns.
  SmallVector<Instruction *, 16> Restore;
  for (Instruction &I : instructions(F)) {
    if (auto *CI = dyn_cast<CallInst>(&I)) {
      const Function *Callee = CI->getCalledFunction();
      if (Callee && !CI->isInlineAsm() && !isa<IntrinsicInst>(CI) &&
          Callee->getName().starts_with("__memscope_"))
        Restore.push_back(CI);
      continue;
    }
    auto *R = dyn_cast<ReturnInst>(&I);
    if (!R)
      continue;
    // Keep calls in tail position adjacent to their ret: restore before
    // the call when it did not set V itself (musttail, quiet callees),
    // not at all when it did.
    auto *Prev = dyn_cast_or_null<CallInst>(R->getPrevNode());
    if (Prev && inTailPosition(*Prev)) {
      if (!Set.count(Prev))
        Restore.push_back(Prev);
    } else {
      Restore.push_back(R);
    }
  }
  for (Instruction *I : Restore)
    new StoreInst(Old, Ctx, I->getIterator());
}

} // namespace memscope
