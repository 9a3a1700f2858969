//===- MemscopeAllocCalls.cpp - allocation call sites -----------------------===//
//
// Replaces each direct call to a libc allocation function with its runtime
// twin, `__memscope_<name>(args..., site)`, or keeps the call and brackets
// it with __memscope_custom_free (before) / __memscope_custom_alloc (after)
// for user allocators and for calls that must keep their callee
// (`nobuiltin` call sites from -fno-builtin, allocators defined in this
// module). musttail calls are never touched.
//
//===----------------------------------------------------------------------===//

#include "MemscopeInternal.h"
#include "memscope_abi.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/IntrinsicInst.h"

using namespace llvm;

namespace memscope {

namespace {

FunctionCallee twinCallee(Module &M, const AllocFn &A) {
  LLVMContext &C = M.getContext();
  Type *Ptr = PointerType::getUnqual(C);
  Type *SizeT = M.getDataLayout().getIntPtrType(C);
  SmallVector<Type *, 4> Params;
  for (Arg K : A.Args)
    Params.push_back(K == Arg::Size ? SizeT : Ptr);
  Params.push_back(Ptr);
  Type *Ret = A.Ret == 'p'   ? Ptr
              : A.Ret == 'v' ? Type::getVoidTy(C)
                             : Type::getInt32Ty(C);
  return M.getOrInsertFunction(A.Twin, FunctionType::get(Ret, Params, false));
}

Value *sizeOf(IRBuilder<> &B, CallInst &CI, int A0, int A1) {
  Type *SizeT = CI.getModule()->getDataLayout().getIntPtrType(CI.getContext());
  auto Get = [&](int I) -> Value * {
    if (I < 0 || I >= static_cast<int>(CI.arg_size()))
      return nullptr;
    Value *V = CI.getArgOperand(I);
    if (!V->getType()->isIntegerTy())
      return nullptr;
    return B.CreateZExtOrTrunc(V, SizeT);
  };
  Value *X = Get(A0), *Y = Get(A1);
  if (!X)
    return ConstantInt::get(SizeT, 0);
  return Y ? B.CreateMul(X, Y) : X;
}

/// Replace CI (a call to libc function A) with the twin.
CallInst *replaceWithTwin(CallInst &CI, const AllocFn &A, GlobalVariable *Site) {
  IRBuilder<> B(&CI);
  SmallVector<Value *, 4> Args(CI.args());
  Args.push_back(Site);
  CallInst *New = B.CreateCall(twinCallee(*CI.getModule(), A), Args);
  New->setDebugLoc(CI.getDebugLoc());
  if (CI.getTailCallKind() == CallInst::TCK_Tail)
    New->setTailCallKind(CallInst::TCK_Tail);
  markCall(*New);
  if (!CI.getType()->isVoidTy()) {
    New->takeName(&CI);
    CI.replaceAllUsesWith(New);
  }
  CI.eraseFromParent();
  return New;
}

/// Keep CI and bracket it with the custom-allocator calls of S.
void bracket(CallInst &CI, const CustomSem &S, GlobalVariable *Site) {
  Module &M = *CI.getModule();
  LLVMContext &C = M.getContext();
  Type *Ptr = PointerType::getUnqual(C);
  Type *SizeT = M.getDataLayout().getIntPtrType(C);
  Type *Void = Type::getVoidTy(C);
  markCall(CI);
  if (S.K == CustomSem::Free || S.K == CustomSem::Realloc) {
    IRBuilder<> B(&CI);
    FunctionCallee Free =
        M.getOrInsertFunction("__memscope_custom_free", Void, Ptr, Ptr);
    B.CreateCall(Free, {CI.getArgOperand(S.FreedArg), Site})
        ->setDebugLoc(CI.getDebugLoc());
  }
  if (S.K == CustomSem::Alloc || S.K == CustomSem::Realloc) {
    IRBuilder<> B(CI.getNextNode());
    B.SetCurrentDebugLocation(CI.getDebugLoc());
    Value *Size = sizeOf(B, CI, S.SizeArg0, S.SizeArg1);
    Value *P = &CI;
    if (S.OutArg >= 0) {
      // posix_memalign-like: the block is in *out when the call returned 0.
      Value *Loaded = B.CreateLoad(Ptr, CI.getArgOperand(S.OutArg));
      Value *Ok = B.CreateICmpEQ(&CI, ConstantInt::get(CI.getType(), 0));
      P = B.CreateSelect(Ok, Loaded, ConstantPointerNull::get(
                                         cast<PointerType>(Ptr)));
    }
    FunctionCallee Alloc = M.getOrInsertFunction("__memscope_custom_alloc",
                                                 Void, Ptr, SizeT, Ptr);
    B.CreateCall(Alloc, {P, Size, Site});
  }
}

} // namespace

void instrumentAllocCalls(Function &F, const AllocTable &T, SiteTable &Sites,
                          Namer &N, bool Late, HeapFacts &Facts) {
  if (T.isAllocatorDefinition(F)) {
    // The allocator's callers are instrumented, not its body. Mark its libc
    // calls as decided so the late pass does not count them once the body
    // is inlined into a caller that already brackets it.
    for (Instruction &I : instructions(F))
      if (auto *CI = dyn_cast<CallInst>(&I))
        if (Function *Callee = CI->getCalledFunction())
          if (lookupLibcAlloc(Callee->getName()))
            markCall(*CI);
    return;
  }
  struct Work {
    CallInst *CI;
    const AllocFn *Libc;
    CustomSem Sem;
  };
  SmallVector<Work, 16> Pending;
  for (Instruction &I : instructions(F)) {
    auto *CI = dyn_cast<CallInst>(&I);
    if (!CI || CI->isMustTailCall() || isMarked(*CI))
      continue;
    Function *Callee = CI->getCalledFunction();
    if (!Callee || isRuntimeCall(*CI))
      continue;
    if (const AllocFn *A = lookupLibcAlloc(Callee->getName())) {
      if (!AllocTable::signatureMatches(*CI, *A))
        continue;
      if (Late && (CI->isNoBuiltin() || !Callee->isDeclaration()))
        continue; // The early pass decided about these already.
      if (CI->isNoBuiltin() || !Callee->isDeclaration())
        Pending.push_back({CI, nullptr, AllocTable::bracketSemantics(*A)});
      else
        Pending.push_back({CI, A, {}});
      continue;
    }
    if (Late)
      continue;
    CustomSem S = T.customSemantics(*Callee);
    if (S.K != CustomSem::None)
      Pending.push_back({CI, nullptr, S});
  }
  for (Work &W : Pending) {
    CallInst *CI = W.CI;
    unsigned Kind = W.Libc ? W.Libc->Kind : W.Sem.SiteKind;
    SiteNames Names;
    int Freed = W.Libc ? W.Libc->FreedArg : W.Sem.FreedArg;
    int Out = W.Libc ? (W.Libc->Ret == 'i' ? 0 : -1) : W.Sem.OutArg;
    if (Out >= 0) {
      if (std::optional<Place> P = N.placeOf(CI->getArgOperand(Out)))
        Names = N.pointerHeldIn(*P);
      else
        Names.Var = "?";
    } else if (CI->getType()->isPointerTy()) {
      Names = N.forResult(*CI);
    } else if (Freed >= 0) {
      Names = N.forPointerArg(CI->getArgOperand(Freed));
    } else {
      Names.Var = "?";
    }
    if (!W.Libc)
      Names.Callee = CI->getCalledFunction()->getName().str();
    SiteInfo Info = Sites.describe(*CI, Kind, Names);
    if (Late)
      Info.Flags |= MEMSCOPE_SITE_F_LATE;
    GlobalVariable *Site = Sites.add(Info);
    Value *Result = CI;
    Value *OutSlot = Out >= 0 ? CI->getArgOperand(Out) : nullptr;
    bool Allocates = W.Libc ? (W.Libc->Ret == 'p') : W.Sem.K != CustomSem::Free;
    if (W.Libc)
      Result = replaceWithTwin(*CI, *W.Libc, Site);
    else
      bracket(*CI, W.Sem, Site);
    if (OutSlot)
      Facts.OutSlots.push_back(OutSlot);
    else if (Allocates && Result->getType()->isPointerTy())
      Facts.Results.push_back(Result);
  }
}

} // namespace memscope
