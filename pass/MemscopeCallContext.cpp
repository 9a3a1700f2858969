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

std::vector<CallInst *> contextCalls(Function &F) {
  std::vector<CallInst *> Calls;
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

void instrumentCallContext(Function &F, ArrayRef<CallInst *> Calls) {
  if (Calls.empty())
    return;
  Module &M = *F.getParent();
  GlobalVariable *Ctx = ctxVariable(M);
  Type *I64 = Type::getInt64Ty(M.getContext());
  std::string Key = M.getSourceFileName() + ":" + F.getName().str() + ":";
  unsigned Index = 0;
  for (CallInst *CI : Calls) {
    uint64_t Id = xxh3_64bits(Key + std::to_string(Index++));
    IRBuilder<> B(CI);
    LoadInst *Old = B.CreateLoad(I64, Ctx);
    Value *New = B.CreateAdd(B.CreateMul(Old, ConstantInt::get(I64, 3)),
                             ConstantInt::get(I64, Id));
    B.CreateStore(New, Ctx);
    if (inTailPosition(*CI) || CI->doesNotReturn())
      continue;
    B.SetInsertPoint(CI->getNextNode());
    B.CreateStore(Old, Ctx);
  }
}

} // namespace memscope
