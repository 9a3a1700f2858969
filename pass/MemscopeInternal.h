//===- MemscopeInternal.h - pieces shared by the memscope pass files -------===//
//
// Internal declarations of the memscope pass plugin: options, the table of
// allocation functions, C type names from debug info, access-path naming,
// site-record emission and the per-family instrumenters. Only the pass's own
// .cpp files include this header; the public face is MemscopePass.h.
//
//===----------------------------------------------------------------------===//
#ifndef MEMSCOPE_PASS_INTERNAL_H
#define MEMSCOPE_PASS_INTERNAL_H

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/ValueHandle.h"
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace llvm {
class DIType;
class DILocalVariable;
class DominatorTree;
} // namespace llvm

namespace memscope {

//===--- Options (MemscopeOptions.cpp) ------------------------------------===//

/// Snapshot of the -memscope-* command-line options taken when a pass runs.
struct Options {
  bool Alloc = true;  ///< -memscope-alloc: allocation call sites
  bool Scope = true;  ///< -memscope-scope: scope exits of heap-holding locals
  bool Escape = true; ///< -memscope-escape: stores of local addresses
  bool Dtor = true;   ///< -memscope-dtor: cleanup and destructor-style calls
  bool Ctx = true;    ///< -memscope-ctx: calling-context value updates
  bool Late = true;   ///< -memscope-late: the OptimizerLast pass
  std::vector<std::string> DtorPatterns;             ///< glob patterns
  std::vector<std::pair<std::string, std::string>> Allocators; ///< name=sem
  /// Read the command-line options. Malformed -memscope-allocators entries
  /// are reported once on stderr and ignored (a pass must not exit()).
  static Options fromCommandLine();
};

/// Shell-style glob with '*' and '?' only. @return true when Name matches.
bool globMatch(llvm::StringRef Pattern, llvm::StringRef Name);

//===--- Allocation functions (MemscopeAllocTable.cpp) --------------------===//

/// Argument roles in an allocation function's signature.
enum class Arg : uint8_t { Ptr, Size, OutPtr };

/// One libc allocation function and its runtime twin.
struct AllocFn {
  const char *Name;   ///< "malloc"
  const char *Twin;   ///< "__memscope_malloc"
  unsigned Kind;      ///< MEMSCOPE_SITE_*
  char Ret;           ///< 'p' pointer, 'v' void, 'i' int
  std::vector<Arg> Args;
  int FreedArg;       ///< argument index released, -1 when none
  int SizeArg0;       ///< first size factor, -1 when unknown
  int SizeArg1;       ///< second size factor (calloc), -1 when none
};

/// @return the libc allocation function called Name, or nullptr.
const AllocFn *lookupLibcAlloc(llvm::StringRef Name);

/// How a user allocator behaves, for the custom bracket calls.
struct CustomSem {
  enum KindT { None, Alloc, Free, Realloc } K = None;
  int FreedArg = -1;             ///< Free/Realloc: released pointer argument
  int SizeArg0 = -1, SizeArg1 = -1; ///< Alloc/Realloc: size factors
  int OutArg = -1;               ///< posix_memalign-like: result via *arg
  unsigned SiteKind = 0;         ///< MEMSCOPE_SITE_CUSTOM_*
};

/// Classifies callees: libc family, configured names, attribute-marked
/// declarations.
class AllocTable {
public:
  explicit AllocTable(const Options &O);
  /// @return semantics of a user allocator (configured or attributed), or
  /// K == None. Libc names are not user allocators unless configured.
  CustomSem customSemantics(const llvm::Function &F) const;
  /// @return semantics for bracketing a libc function's call (used when the
  /// call must be kept: -fno-builtin call sites, malloc defined in module).
  static CustomSem bracketSemantics(const AllocFn &A);
  /// @return true when F's body must not be instrumented for allocations
  /// (it is itself an allocation function of any kind).
  bool isAllocatorDefinition(const llvm::Function &F) const;
  /// @return true when the call's argument and return types match A.
  static bool signatureMatches(const llvm::CallInst &CI, const AllocFn &A);

private:
  llvm::StringMap<CustomSem> Configured;
};

//===--- Debug-info names (MemscopeTypeNames.cpp, MemscopeSiteNames.cpp) --===//

/// @return T spelt as C declares it ("struct node *", "char (*)[16]"),
/// with Inner as the declarator placed inside. T == nullptr is void.
std::string cTypeName(const llvm::DIType *T, const std::string &Inner = "");
/// @return T without typedefs, cv-qualifiers and member wrappers.
const llvm::DIType *stripType(const llvm::DIType *T);
/// @return T without cv-qualifiers and member wrappers (typedefs kept).
const llvm::DIType *stripCV(const llvm::DIType *T);
/// @return size of T in bytes, 0 when unknown or void.
uint64_t typeSizeBytes(const llvm::DIType *T);
/// @return pointee of a pointer type (through typedefs/cv), nullptr else;
/// Ok is set to false when T is not a pointer.
const llvm::DIType *pointeeType(const llvm::DIType *T, bool &Ok);

/// The variable declared by an alloca (dbg_declare at -O0, dbg_assign with
/// assignment tracking at -O2), or nullptr.
const llvm::DILocalVariable *variableOf(const llvm::AllocaInst *A);

/// A place that holds a value, named as C would: "n->next", "*pp", "g_cfg".
struct Place {
  std::string Path;
  const llvm::DIType *Ty = nullptr; ///< type of the place itself
  bool Deref = false;  ///< Path names a pointer whose target is the place
  bool Global = false; ///< rooted at a global variable
  bool Field = false;  ///< went through a struct/union member
};

/// Names and types used to fill one site record.
struct SiteNames {
  std::string Var;  ///< "?" when unknown
  std::string Type; ///< empty when unknown
  uint64_t ElemSize = 0;
  unsigned Flags = 0; ///< MEMSCOPE_SITE_F_GLOBAL / _FIELD
  std::string Callee;
};

/// Names memory places from debug info. Never creates or changes IR.
class Namer {
public:
  explicit Namer(const llvm::DataLayout &DL) : DL(DL) {}
  /// @return the place P points to, or nothing when not nameable.
  std::optional<Place> placeOf(const llvm::Value *P, unsigned Depth = 0);
  /// Names for a pointer value V stored/held in place P: var is the place's
  /// path, type the pointee of the place's type.
  SiteNames pointerHeldIn(const Place &P);
  /// Names for a site whose pointer result is R (first store, return, or
  /// argument use of R).
  SiteNames forResult(const llvm::CallInst &R);
  /// Names for a pointer argument V (free(x), dtor(x)): where it was loaded.
  SiteNames forPointerArg(const llvm::Value *V);
  /// Names for an object address O (&x): the object itself and its type.
  SiteNames forObject(const llvm::Value *O);

private:
  const llvm::DataLayout &DL;
  SiteNames argName(const llvm::CallBase &Call, unsigned ArgNo);
};

//===--- Site records (MemscopeSiteTable.cpp) -----------------------------===//

/// Everything one memscope_site record holds.
struct SiteInfo {
  unsigned Kind = 0;
  unsigned Flags = 0;
  unsigned Line = 0, Column = 0;
  std::string File, Func, Type, Var, Callee;
  uint64_t ElemSize = 0;
};

/// Emits constant 48-byte records into section "memscope_sites" and the
/// module constructor that registers them with the runtime.
class SiteTable {
public:
  explicit SiteTable(llvm::Module &M);
  /// Create one record. @return its address (the site id).
  llvm::GlobalVariable *add(const SiteInfo &S);
  /// Fill file/line/column/function of S from I's debug location (or the
  /// module's source file when there is none) and merge Names.
  SiteInfo describe(const llvm::Instruction &I, unsigned Kind,
                    const SiteNames &Names) const;
  /// Make sure the module constructor calling __memscope_init_v1 exists
  /// when any record was added. Idempotent.
  void finish();
  unsigned count() const { return Count; }

private:
  llvm::Module &M;
  llvm::StructType *SiteTy;
  llvm::StringMap<llvm::Constant *> Strings;
  std::vector<llvm::GlobalValue *> Records;
  unsigned Count = 0;
  bool HasDebug;
  llvm::Constant *rel(llvm::GlobalVariable *Rec, unsigned Field,
                      const std::string &S);
};

/// Metadata kind attached to every call the pass created or decided about,
/// so the late pass never counts a call twice.
inline constexpr const char *MarkerMD = "memscope";
void markCall(llvm::Instruction &I);
bool isMarked(const llvm::Instruction &I);
/// @return true for calls the pass must never touch (musttail, inline asm,
/// intrinsics) or that call into the runtime itself.
bool isRuntimeCall(const llvm::CallBase &C);

//===--- Instrumenters -----------------------------------------------------===//

/// Per-function record of what allocation instrumentation produced, used by
/// the lifetime instrumentation.
struct HeapFacts {
  llvm::SmallVector<llvm::Value *, 8> Results;   ///< pointers from alloc sites
  llvm::SmallVector<llvm::Value *, 4> OutSlots;  ///< posix_memalign targets
};

/// MemscopeAllocCalls.cpp: replace or bracket allocation calls in F.
/// Late selects the OptimizerLast behaviour (libc family only, F_LATE).
void instrumentAllocCalls(llvm::Function &F, const AllocTable &T,
                          SiteTable &Sites, Namer &N, bool Late,
                          HeapFacts &Facts);

/// MemscopeLifetimes.cpp: the functions of M that may return a heap
/// pointer (an allocation result, directly or through locals and calls to
/// such functions). Computed on M before it is instrumented.
llvm::SmallPtrSet<const llvm::Function *, 16>
heapReturningFunctions(llvm::Module &M, const AllocTable &T);

/// MemscopeLifetimes.cpp: scope exits and escapes in F. Locals count as
/// heap holders when they hold an allocation result (Facts), the result of
/// a call to a HeapRet function, or of a `noalias`-returning declaration.
void instrumentLifetimes(
    llvm::Function &F, const Options &O, SiteTable &Sites, Namer &N,
    HeapFacts Facts, const AllocTable &T,
    const llvm::SmallPtrSetImpl<const llvm::Function *> &HeapRet);

/// MemscopeReturnTransfer.cpp: whether the value alloca A holds at End (one
/// of its lifetime ends, or a `ret` when it has none) is the value the
/// function returns there, i.e. ownership moves to the caller. Decided on
/// the IR alone; whatever cannot be shown to be a return is Kept.
struct ReturnTransfer {
  enum Kind : uint8_t {
    Kept,     ///< not returned (or unknown): keep the scope exit
    Returned, ///< returned on every path through End: no scope exit
    PerEdge,  ///< depends on the edge into End's block: see Edges
  };
  Kind K = Kept;
  /// PerEdge only: each predecessor of End's block, true when entering
  /// from it returns the held value.
  llvm::SmallVector<std::pair<llvm::BasicBlock *, bool>, 4> Edges;
};
ReturnTransfer returnTransfer(llvm::AllocaInst &A, llvm::Instruction &End);

/// MemscopeDtors.cpp: cleanup-attribute and name-pattern destructor calls.
void instrumentDtors(llvm::Function &F, const Options &O, const AllocTable &T,
                     SiteTable &Sites, Namer &N);

/// MemscopeCallContext.cpp: V = V*3 + id around the given user calls,
/// except calls to Quiet functions.
void instrumentCallContext(
    llvm::Function &F, llvm::ArrayRef<llvm::WeakVH> Calls,
    const llvm::SmallPtrSetImpl<const llvm::Function *> &Quiet);
/// @return the functions defined in M that can reach no event: they call
/// only intrinsics and other such functions. Run after all other
/// instrumentation (runtime calls make a function non-quiet).
llvm::SmallPtrSet<const llvm::Function *, 32> quietFunctions(llvm::Module &M);
/// @return the calls of F the context update applies to, collected before
/// any other instrumentation is inserted.
/// Handles become null when a call is replaced (allocation twins).
std::vector<llvm::WeakVH> contextCalls(llvm::Function &F);

} // namespace memscope

#endif // MEMSCOPE_PASS_INTERNAL_H
