// The families of the op table, each in its op_table_<family>.cpp: the ops (how hito calls them)
// and their cases. op_table() adds them in this order.
#pragma once

#include "tests/support/op_table.h"

namespace hito::testing {

void add_elementwise_ops(OpTable& table);  // unary functions, broadcasting arithmetic, affine, to_float
void add_matmul_ops(OpTable& table);       // matmul, linear
void add_reduce_ops(OpTable& table);       // sum, mean, max, argmax
void add_softmax_ops(OpTable& table);      // softmax, log_softmax, cross_entropy
void add_layout_ops(OpTable& table);       // concat, slice, reshape, embedding, dropout
void add_norm_ops(OpTable& table);         // batch_norm, layer_norm
void add_conv_ops(OpTable& table);         // conv2d, max_pool2d, avg_pool2d, adaptive_avg_pool2d

}  // namespace hito::testing
