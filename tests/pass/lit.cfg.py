# lit configuration of the memscope pass tests (tests/pass).
import os
import lit.formats

config.name = "memscope-pass"
config.test_format = lit.formats.ShTest(True)
config.suffixes = [".c", ".ll", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt"]
config.test_source_root = os.path.dirname(__file__)

plugin = config.memscope_plugin
# clang needs -Xclang -load as well so that -mllvm -memscope-* options exist
# when it parses them; the driver passes the same pair.
load = "-fpass-plugin=%s -Xclang -load -Xclang %s" % (plugin, plugin)
config.substitutions.append(("%clang_ms", "%s %s -I%s" % (
    config.memscope_clang, load, config.memscope_abi_include)))
config.substitutions.append(("%clang", config.memscope_clang))
config.substitutions.append(("%opt_ms", "%s -load-pass-plugin=%s" % (
    config.memscope_opt, plugin)))
config.substitutions.append(("%plugin", plugin))
config.substitutions.append(("%verify_each", "-Xclang -llvm-verify-each"))
config.substitutions.append(("%uas", "-Xclang -fsanitize-address-use-after-scope"))
config.substitutions.append(("%stubrt", "%s -O1 -c %s/Inputs/site_dump.c -I%s" % (
    config.memscope_clang, config.test_source_root, config.memscope_abi_include)))
config.substitutions.append(("FileCheck", config.memscope_filecheck))
config.substitutions.append(("%objdump", config.memscope_objdump))
config.substitutions.append(("%strip", config.memscope_strip))
config.substitutions.append(("%shared_bench", config.memscope_shared_bench))
config.substitutions.append(("%examples", config.memscope_examples))
config.substitutions.append(("%lua_tarball", config.memscope_lua_tarball))
if os.path.exists(config.memscope_lua_tarball):
    config.available_features.add("lua-tarball")
if os.path.isdir(config.memscope_shared_bench):
    config.available_features.add("shared-bench")
