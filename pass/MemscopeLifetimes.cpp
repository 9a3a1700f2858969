//===- MemscopeLifetimes.cpp - scope exits and escapes ----------------------===//
//
// Scope exits: every static alloca that ever holds a pointer coming from an
// allocation site (directly, through another local, or as the target of
// posix_memalign) gets, at each llvm.lifetime.end of it, a load of the value
// it holds and `__memscope_scope_exit(value, site)`. Allocas without any
// lifetime.end (-O0 without -fsanitize-address-use-after-scope, parameters,
// functions with a `goto` past a declaration) get it before each return.
// The pass loads the value, never passes the address, so SROA/mem2reg still
// promote the variable at -O2. An end point where the held value is the
// function's return value gets no scope exit (ownership moves to the
// caller; MemscopeReturnTransfer.cpp), or one guarded by a phi of
// constants when that depends on the edge into the end point's block.
//
// Escapes: a store whose value is the address of a local (an alloca or a
// GEP into one) and whose destination is not a local is followed by
// `__memscope_escape(local, slot, site)`; that alloca gets
// `__memscope_local_dead(local, size, site)` where its lifetime ends.
//
// Which allocas are chosen depends on the IR only, never on debug info.
//
//===----------------------------------------------------------------------===//

#include "MemscopeInternal.h"
#include "memscope_abi.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"

using namespace llvm;

namespace memscope {

namespace {

/// Points where an alloca's life ends: its lifetime.end markers, or the
/// function's returns it dominates when it has none.
SmallVector<Instruction *, 4> lifeEnds(AllocaInst *A, ArrayRef<ReturnInst *> Rets,
                                       DominatorTree &DT) {
  SmallVector<Instruction *, 4> Ends;
  for (User *U : A->users())
    if (auto *II = dyn_cast<IntrinsicInst>(U))
      if (II->getIntrinsicID() == Intrinsic::lifetime_end)
        Ends.push_back(II);
  if (!Ends.empty())
    return Ends;
  for (ReturnInst *R : Rets)
    if (DT.dominates(A, R))
      Ends.push_back(R);
  return Ends;
}

/// Heap values of F (allocation results and what flows from them through
/// locals, phi and select) and the allocas that hold one at some point.
struct HeapClosure {
  SmallPtrSet<const Value *, 32> Heap;
  SetVector<AllocaInst *> Holders;
};

HeapClosure closeOver(Function &F, const HeapFacts &Facts) {
  HeapClosure C;
  if (Facts.Results.empty() && Facts.OutSlots.empty())
    return C;
  C.Heap.insert(Facts.Results.begin(), Facts.Results.end());
  for (Value *Slot : Facts.OutSlots)
    if (auto *A = dyn_cast<AllocaInst>(Slot->stripPointerCasts()))
      C.Holders.insert(A);
  // Fixpoint: loads of holders are heap values; stores of heap values make
  // holders; phi/select of heap values are heap values.
  bool Changed = true;
  while (Changed) {
    Changed = false;
    for (Instruction &I : instructions(F)) {
      if (auto *S = dyn_cast<StoreInst>(&I)) {
        auto *A = dyn_cast<AllocaInst>(S->getPointerOperand());
        if (A && C.Heap.count(S->getValueOperand()->stripPointerCasts()) &&
            A->isStaticAlloca() && C.Holders.insert(A))
          Changed = true;
      } else if (auto *L = dyn_cast<LoadInst>(&I)) {
        auto *A = dyn_cast<AllocaInst>(L->getPointerOperand());
        if (A && C.Holders.count(A) && L->getType()->isPointerTy() &&
            C.Heap.insert(L).second)
          Changed = true;
      } else if (isa<PHINode>(I) || isa<SelectInst>(I)) {
        if (!I.getType()->isPointerTy() || C.Heap.count(&I))
          continue;
        for (Value *Op : I.operands())
          if (C.Heap.count(Op)) {
            C.Heap.insert(&I);
            Changed = true;
            break;
          }
      }
    }
  }
  return C;
}

/// Calls in F whose result is a heap pointer although they are not
/// allocation sites: functions of this module that return one, and
/// declarations whose return is `noalias` (__attribute__((malloc))).
void addHeapCalls(Function &F, const SmallPtrSetImpl<const Function *> &Ret,
                  const AllocTable &T, HeapFacts &Facts) {
  for (Instruction &I : instructions(F)) {
    auto *CI = dyn_cast<CallInst>(&I);
    if (!CI || !CI->getType()->isPointerTy() || isRuntimeCall(*CI))
      continue;
    const Function *Callee = CI->getCalledFunction();
    if (!Callee)
      continue;
    bool Heap = Ret.count(Callee) ||
                (Callee->isDeclaration() && Callee->returnDoesNotAlias());
    if (const AllocFn *A = lookupLibcAlloc(Callee->getName()))
      Heap = A->Ret == 'p' && !isMarked(*CI); // marked: bracketed, seen
    else if (T.customSemantics(*Callee).K != CustomSem::None)
      Heap = false; // bracketed custom allocators are in Facts already
    if (Heap)
      Facts.Results.push_back(CI);
  }
}
} // namespace

SmallPtrSet<const Function *, 16> heapReturningFunctions(Module &M,
                                                         const AllocTable &T) {
  SmallPtrSet<const Function *, 16> Ret;
  bool Changed = true;
  while (Changed) {
    Changed = false;
    for (Function &F : M) {
      if (F.isDeclaration() || Ret.count(&F) ||
          !F.getReturnType()->isPointerTy())
        continue;
      HeapFacts Facts;
      for (Instruction &I : instructions(F))
        if (auto *CI = dyn_cast<CallInst>(&I))
          if (const Function *Callee = CI->getCalledFunction()) {
            const AllocFn *A = lookupLibcAlloc(Callee->getName());
            CustomSem S = T.customSemantics(*Callee);
            if ((A && A->Ret == 'p') || S.K == CustomSem::Alloc ||
                S.K == CustomSem::Realloc)
              Facts.Results.push_back(CI);
          }
      addHeapCalls(F, Ret, T, Facts);
      HeapClosure C = closeOver(F, Facts);
      for (BasicBlock &BB : F)
        if (auto *R = dyn_cast<ReturnInst>(BB.getTerminator()))
          if (Value *V = R->getReturnValue(); V && C.Heap.count(V)) {
            Ret.insert(&F);
            Changed = true;
            break;
          }
    }
  }
  return Ret;
}

namespace {
Value *allocaSize(AllocaInst *A) {
  const DataLayout &DL = A->getModule()->getDataLayout();
  Type *SizeT = DL.getIntPtrType(A->getContext());
  if (std::optional<TypeSize> S = A->getAllocationSize(DL))
    if (!S->isScalable())
      return ConstantInt::get(SizeT, S->getFixedValue());
  return ConstantInt::get(SizeT, 0); // VLA: size unknown at the end point
}

} // namespace

void instrumentLifetimes(Function &F, const Options &O, SiteTable &Sites,
                         Namer &N, HeapFacts Facts, const AllocTable &T,
                         const SmallPtrSetImpl<const Function *> &HeapRet) {
  Module &M = *F.getParent();
  LLVMContext &C = M.getContext();
  Type *Ptr = PointerType::getUnqual(C);
  Type *Void = Type::getVoidTy(C);
  Type *SizeT = M.getDataLayout().getIntPtrType(C);
  SetVector<AllocaInst *> Holders;
  if (O.Scope) {
    addHeapCalls(F, HeapRet, T, Facts);
    Holders = closeOver(F, Facts).Holders;
  }

  // Escapes: collected first, the new calls are stores' neighbours.
  SmallVector<StoreInst *, 8> Escapes;
  SetVector<AllocaInst *> Escaped;
  if (O.Escape)
    for (Instruction &I : instructions(F)) {
      auto *S = dyn_cast<StoreInst>(&I);
      if (!S || !S->getValueOperand()->getType()->isPointerTy())
        continue;
      auto *Local = dyn_cast<AllocaInst>(getUnderlyingObject(S->getValueOperand()));
      if (!Local)
        continue;
      if (isa<AllocaInst>(getUnderlyingObject(S->getPointerOperand())))
        continue;
      Escapes.push_back(S);
      Escaped.insert(Local);
    }

  if (Holders.empty() && Escapes.empty())
    return;
  SmallVector<ReturnInst *, 4> Rets;
  for (BasicBlock &BB : F)
    if (auto *R = dyn_cast<ReturnInst>(BB.getTerminator()))
      Rets.push_back(R);
  DominatorTree DT(F);

  // Decide every end point before changing the CFG: the per-edge rule
  // reads predecessors, and lifeEnds() reads the dominator tree.
  struct ExitPoint {
    AllocaInst *A;
    Instruction *End;
    ReturnTransfer T;
    PHINode *Keep = nullptr; // PerEdge: true on edges that drop the value
  };
  SmallVector<ExitPoint, 8> Exits;
  for (AllocaInst *A : Holders)
    for (Instruction *End : lifeEnds(A, Rets, DT))
      Exits.push_back({A, End, returnTransfer(*A, *End)});
  SmallVector<std::pair<AllocaInst *, Instruction *>, 4> DeadEnds;
  for (AllocaInst *A : Escaped)
    for (Instruction *End : lifeEnds(A, Rets, DT))
      DeadEnds.push_back({A, End});
  for (ExitPoint &X : Exits) {
    if (X.T.K != ReturnTransfer::PerEdge)
      continue;
    BasicBlock *BB = X.End->getParent();
    X.Keep = PHINode::Create(Type::getInt1Ty(C), X.T.Edges.size(),
                             "memscope.keep", BB->begin());
    for (BasicBlock *P : predecessors(BB))
      for (auto &[From, Returned] : X.T.Edges)
        if (From == P)
          X.Keep->addIncoming(ConstantInt::getBool(C, !Returned), P);
  }

  FunctionCallee ScopeExit =
      M.getOrInsertFunction("__memscope_scope_exit", Void, Ptr, Ptr);
  for (ExitPoint &X : Exits) {
    if (X.T.K == ReturnTransfer::Returned)
      continue; // ownership moves to the caller
    std::optional<Place> P = N.placeOf(X.A);
    SiteNames Names = P ? N.pointerHeldIn(*P) : SiteNames{"?", "", 0, 0, ""};
    GlobalVariable *Site =
        Sites.add(Sites.describe(*X.End, MEMSCOPE_SITE_SCOPE_EXIT, Names));
    Instruction *At = X.End;
    if (X.Keep)
      At = SplitBlockAndInsertIfThen(X.Keep, X.End->getIterator(),
                                     /*Unreachable=*/false);
    IRBuilder<> B(At);
    B.SetCurrentDebugLocation(X.End->getDebugLoc());
    Value *V = B.CreateLoad(Ptr, X.A);
    markCall(*B.CreateCall(ScopeExit, {V, Site}));
  }

  if (Escapes.empty())
    return;
  FunctionCallee Escape =
      M.getOrInsertFunction("__memscope_escape", Void, Ptr, Ptr, Ptr);
  for (StoreInst *S : Escapes) {
    SiteNames Names = N.forObject(S->getValueOperand());
    GlobalVariable *Site =
        Sites.add(Sites.describe(*S, MEMSCOPE_SITE_ESCAPE, Names));
    IRBuilder<> B(S->getNextNode());
    B.SetCurrentDebugLocation(S->getDebugLoc());
    markCall(*B.CreateCall(Escape,
                           {S->getValueOperand(), S->getPointerOperand(), Site}));
  }
  FunctionCallee Dead =
      M.getOrInsertFunction("__memscope_local_dead", Void, Ptr, SizeT, Ptr);
  for (auto &[A, End] : DeadEnds) {
    SiteNames Names = N.forObject(A);
    GlobalVariable *Site =
        Sites.add(Sites.describe(*End, MEMSCOPE_SITE_LOCAL_DEAD, Names));
    IRBuilder<> B(End);
    markCall(*B.CreateCall(Dead, {A, allocaSize(A), Site}));
  }
}

} // namespace memscope
