//===- MemscopeDtors.cpp - cleanup-attribute and destructor-style calls ----===//
//
// Two rules, both bracketing the original call with
// __memscope_dtor_begin(obj, site) before and __memscope_dtor_end(obj, site)
// after it:
//  * CLEANUP: `call @fn(ptr %a)` whose single argument is an alloca and
//    whose next instruction is `llvm.lifetime.end(ptr %a)`: how clang lowers
//    __attribute__((cleanup(fn))). obj is the variable's address.
//  * DTOR: a direct call to a function whose name matches one of
//    -memscope-dtor-patterns. obj is the first pointer argument (or null).
// Allocation functions are never destructor calls.
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
bool isCleanupCall(const CallInst &CI) {
  if (CI.arg_size() != 1)
    return false;
  auto *A = dyn_cast<AllocaInst>(CI.getArgOperand(0));
  if (!A)
    return false;
  const Instruction *Next = CI.getNextNode();
  while (Next && isa<DbgInfoIntrinsic>(Next))
    Next = Next->getNextNode();
  auto *II = dyn_cast_or_null<IntrinsicInst>(Next);
  return II && II->getIntrinsicID() == Intrinsic::lifetime_end &&
         II->getArgOperand(1) == A;
}

bool matchesAny(ArrayRef<std::string> Patterns, StringRef Name) {
  for (const std::string &P : Patterns)
    if (globMatch(P, Name))
      return true;
  return false;
}
} // namespace

void instrumentDtors(Function &F, const Options &O, const AllocTable &T,
                     SiteTable &Sites, Namer &N) {
  struct Work {
    CallInst *CI;
    unsigned Kind;
  };
  SmallVector<Work, 8> Pending;
  for (Instruction &I : instructions(F)) {
    auto *CI = dyn_cast<CallInst>(&I);
    if (!CI || CI->isMustTailCall() || isRuntimeCall(*CI))
      continue;
    Function *Callee = CI->getCalledFunction();
    // memscope.h's own annotation API (memscope_free, ...) matches `*_free`
    // but is the runtime's bookkeeping, never a destructor of the program.
    if (!Callee || lookupLibcAlloc(Callee->getName()) ||
        T.customSemantics(*Callee).K != CustomSem::None ||
        Callee->getName().starts_with("memscope_"))
      continue;
    if (isCleanupCall(*CI))
      Pending.push_back({CI, MEMSCOPE_SITE_CLEANUP});
    else if (matchesAny(O.DtorPatterns, Callee->getName()))
      Pending.push_back({CI, MEMSCOPE_SITE_DTOR});
  }
  if (Pending.empty())
    return;
  Module &M = *F.getParent();
  LLVMContext &C = M.getContext();
  Type *Ptr = PointerType::getUnqual(C);
  Type *Void = Type::getVoidTy(C);
  FunctionCallee Begin =
      M.getOrInsertFunction("__memscope_dtor_begin", Void, Ptr, Ptr);
  FunctionCallee End = M.getOrInsertFunction("__memscope_dtor_end", Void, Ptr, Ptr);
  for (Work &W : Pending) {
    CallInst *CI = W.CI;
    Value *Obj = ConstantPointerNull::get(cast<PointerType>(Ptr));
    for (Value *A : CI->args())
      if (A->getType()->isPointerTy()) {
        Obj = A;
        break;
      }
    SiteNames Names;
    if (W.Kind == MEMSCOPE_SITE_CLEANUP)
      Names = N.forObject(Obj);
    else if (!isa<ConstantPointerNull>(Obj))
      Names = N.forPointerArg(Obj);
    else
      Names.Var = "?";
    Names.Callee = CI->getCalledFunction()->getName().str();
    GlobalVariable *Site = Sites.add(Sites.describe(*CI, W.Kind, Names));
    IRBuilder<> B(CI);
    markCall(*B.CreateCall(Begin, {Obj, Site}));
    B.SetInsertPoint(CI->getNextNode());
    B.SetCurrentDebugLocation(CI->getDebugLoc());
    markCall(*B.CreateCall(End, {Obj, Site}));
    markCall(*CI);
  }
}

} // namespace memscope
