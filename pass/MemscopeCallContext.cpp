//===- MemscopeCallContext.cpp - probabilistic calling context -------------===//
//
// Bond & McKinley's probabilistic calling context: a per-thread 64-bit value
// V (__memscope_ctx, initial-exec TLS, defined by the runtime) summarises
// the instrumented call path. Around each call of user code:
//     old = V;  V = old * 3 + id;  call;  V = old;
// id is a hash of the module's source file, the function and the call's
// index in it, so it is the same with and without -g. Calls in tail
// position (directly followed by `ret`) skip the restore so the backend can
// still emit them as tail calls: the nearest instrumented caller restores V
// after its own call returns.
//
// Calls to "quiet" functions get no update: functions defined here (with an
// exact definition) that can reach no event, i.e. call nothing but
// intrinsics and other quiet functions. Nothing is recorded while they run,
// so V would never be read (binary-trees' check(): 1/3 of its calls).
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
    if (!F.isDeclaration() && !Loud.count(&F))
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
  if (Calls.empty())
    return;
  Module &M = *F.getParent();
  GlobalVariable *Ctx = ctxVariable(M);
  Type *I64 = Type::getInt64Ty(M.getContext());
  std::string Key = M.getSourceFileName() + ":" + F.getName().str() + ":";
  // V is the same at every call of F as at F's entry: each call restores it,
  // and calls that do not (tail, noreturn) end F. So V is read once, at the
  // entry, and the stores need no reload after calls through memory that
  // may alias the TLS slot.
  LoadInst *Old = nullptr;
  Value *Base = nullptr;
  unsigned Index = 0;
  for (CallInst *CI : Calls) {
    uint64_t Id = xxh3_64bits(Key + std::to_string(Index++));
    if (const Function *Callee = CI->getCalledFunction())
      if (Quiet.count(Callee))
        continue;
    if (!Old) {
      IRBuilder<> E(&*F.getEntryBlock().getFirstInsertionPt());
      Old = E.CreateLoad(I64, Ctx, "memscope.ctx");
      Base = E.CreateMul(Old, ConstantInt::get(I64, 3));
    }
    IRBuilder<> B(CI);
    B.CreateStore(B.CreateAdd(Base, ConstantInt::get(I64, Id)), Ctx);
    if (inTailPosition(*CI) || CI->doesNotReturn())
      continue;
    B.SetInsertPoint(CI->getNextNode());
    B.CreateStore(Old, Ctx);
  }
}

} // namespace memscope
