// draw_lesion: per-pixel shading in the lesion's own frame (u, v: the unit disk is the mean
// outline), then hair strokes, vignetting and sensor noise. Noise fields are hashed lattices, so an
// image depends only on its parameters and seeds.
#include "apps/study/synth/synth_image.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace hito::study {

namespace {

constexpr float kPi = 3.14159265358979f;
constexpr int kOutlineSteps = 720;
constexpr int kHarmonics = 7;

uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

float hash01(int64_t x, int64_t y, uint64_t seed) {
  uint64_t h = mix64(seed ^ mix64(static_cast<uint64_t>(x) * 0x9e3779b97f4a7c15ull + static_cast<uint64_t>(y)));
  return static_cast<float>(h >> 40) / 16777216.0f;
}

// Smoothly interpolated lattice noise in [0, 1).
float value_noise(float x, float y, uint64_t seed) {
  float fx = std::floor(x), fy = std::floor(y);
  int64_t ix = static_cast<int64_t>(fx), iy = static_cast<int64_t>(fy);
  float tx = x - fx, ty = y - fy;
  tx = tx * tx * (3 - 2 * tx);
  ty = ty * ty * (3 - 2 * ty);
  float a = hash01(ix, iy, seed), b = hash01(ix + 1, iy, seed);
  float c = hash01(ix, iy + 1, seed), d = hash01(ix + 1, iy + 1, seed);
  return (a + (b - a) * tx) + ((c + (d - c) * tx) - (a + (b - a) * tx)) * ty;
}

// Fractal sum of `octaves` noise layers, in [0, 1).
float fbm(float x, float y, uint64_t seed, int octaves) {
  float sum = 0, amplitude = 0.5f, norm = 0;
  for (int o = 0; o < octaves; ++o) {
    sum += amplitude * value_noise(x, y, seed + static_cast<uint64_t>(o) * 7919);
    norm += amplitude;
    x *= 2.03f, y *= 2.03f, amplitude *= 0.5f;
  }
  return sum / norm;
}

float smoothstep(float edge0, float edge1, float x) {
  float t = std::clamp((x - edge0) / (edge1 - edge0), 0.0f, 1.0f);
  return t * t * (3 - 2 * t);
}

using Rgb = std::array<float, 3>;

Rgb mix(const Rgb& a, const Rgb& b, float t) { return {a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t}; }

// Marks drawn in the lesion's frame, placed once per lesion.
struct Marks {
  std::array<float, 3 * kHarmonics> harmonics{};  // amplitude, phase per harmonic (k = 1..7), packed
  std::vector<std::array<float, 4>> segments;     // vessel segments (u0, v0, u1, v1)
  std::vector<std::array<float, 3>> lobules;      // (u, v, radius)
  std::vector<std::array<float, 3>> dots;         // (u, v, radius)
  std::vector<float> outline;                     // radius factor per angle step
  float max_outline = 1.0f;                       // its largest value
};

Marks place_marks(const LesionLook& look) {
  Generator gen(look.shape_seed);
  Marks m;
  for (int k = 1; k <= kHarmonics; ++k) {
    float amplitude = k == 1 ? look.asymmetry * gen.uniform(0.5f, 1.0f) : look.irregularity * gen.normal() / std::sqrt(float(k));
    m.harmonics[3 * (k - 1)] = amplitude;
    m.harmonics[3 * (k - 1) + 1] = gen.uniform(0.0f, 2 * kPi);
  }
  m.outline.resize(kOutlineSteps);
  for (int s = 0; s < kOutlineSteps; ++s) {
    float theta = 2 * kPi * s / kOutlineSteps, r = 1.0f;
    for (int k = 1; k <= kHarmonics; ++k) r += m.harmonics[3 * (k - 1)] * std::cos(k * theta + m.harmonics[3 * (k - 1) + 1]);
    m.outline[static_cast<size_t>(s)] = std::max(r, 0.35f);
    m.max_outline = std::max(m.max_outline, m.outline[static_cast<size_t>(s)]);
  }
  for (int v = 0; v < look.vessels; ++v) {  // a random walk from near the centre outwards, with a branch
    float u0 = gen.uniform(-0.4f, 0.4f), v0 = gen.uniform(-0.4f, 0.4f), heading = gen.uniform(0.0f, 2 * kPi);
    for (int s = 0; s < 9; ++s) {
      heading += gen.uniform(-0.6f, 0.6f);
      float u1 = u0 + 0.12f * std::cos(heading), v1 = v0 + 0.12f * std::sin(heading);
      m.segments.push_back({u0, v0, u1, v1});
      if (s == 4) m.segments.push_back({u1, v1, u1 + 0.15f * std::cos(heading + 1.2f), v1 + 0.15f * std::sin(heading + 1.2f)});
      u0 = u1, v0 = v1;
    }
  }
  for (int l = 0; l < look.lobules; ++l) {
    float r = gen.uniform(0.0f, 0.6f), a = gen.uniform(0.0f, 2 * kPi);
    m.lobules.push_back({r * std::cos(a), r * std::sin(a), gen.uniform(0.15f, 0.3f)});
  }
  for (int d = 0; d < look.dots; ++d) {
    float r = std::sqrt(gen.uniform()) * 0.85f, a = gen.uniform(0.0f, 2 * kPi);
    m.dots.push_back({r * std::cos(a), r * std::sin(a), gen.uniform(0.035f, 0.06f)});
  }
  return m;
}

float segment_distance(float u, float v, const std::array<float, 4>& s) {
  float du = s[2] - s[0], dv = s[3] - s[1];
  float t = std::clamp(((u - s[0]) * du + (v - s[1]) * dv) / (du * du + dv * dv + 1e-9f), 0.0f, 1.0f);
  float eu = u - (s[0] + t * du), ev = v - (s[1] + t * dv);
  return std::sqrt(eu * eu + ev * ev);
}

// The lesion's colour at (u, v), normalised radius d.
Rgb lesion_colour(const LesionLook& look, const Marks& m, float u, float v, float d, float rho, float outline) {
  uint64_t seed = look.shape_seed;
  float t = fbm(u * look.texture_scale + 11.0f, v * look.texture_scale + 5.0f, seed, 3);
  Rgb c = mix(look.base, look.secondary, std::clamp(look.texture * (2.2f * t - 0.4f), 0.0f, 1.0f));
  float shade = 0.88f + 0.12f * std::min(d, 1.0f);  // a little darker towards the centre
  for (float& ch : c) ch *= shade;
  if (look.network > 0) {
    float warp = 2.5f * t;
    float mesh = 0.5f + 0.5f * std::cos(u * 26 + warp) * std::cos(v * 26 + warp);
    for (float& ch : c) ch *= 1 - look.network * 0.3f * mesh;
  }
  if (look.veil > 0) {
    float w = fbm(u * 2.2f + 3.0f, v * 2.2f + 17.0f, seed + 101, 2);
    c = mix(c, {105, 118, 150}, 0.8f * smoothstep(1 - look.veil, 1.05f - look.veil + 0.1f, w));
  }
  if (look.pale_centre > 0) c = mix(c, {222, 200, 185}, 0.85f * smoothstep(look.pale_centre * outline, 0.6f * look.pale_centre * outline, rho));
  for (size_t l = 0; l < m.lobules.size(); ++l) {
    const auto& lob = m.lobules[l];
    float dist = std::hypot(u - lob[0], v - lob[1]) / lob[2];
    if (dist < 1) {
      Rgb inner = l % 2 ? Rgb{125, 35, 85} : Rgb{165, 30, 55};
      c = mix(c, inner, smoothstep(1.0f, 0.75f, dist));
    }
  }
  for (const auto& dot : m.dots) {
    float dist = std::hypot(u - dot[0], v - dot[1]) / dot[2];
    if (dist < 1) c = mix(c, {238, 228, 205}, smoothstep(1.0f, 0.4f, dist));
  }
  for (const auto& segment : m.segments) {
    float dist = segment_distance(u, v, segment);
    if (dist < 0.03f) c = mix(c, {175, 30, 40}, smoothstep(0.03f, 0.01f, dist));
  }
  return c;
}

// Dark hairs: quadratic Bezier strokes, 1-2 px wide, painted as anti-aliased discs.
void draw_hair(std::vector<float>& rgb, int64_t height, int64_t width, Generator& gen) {
  if (gen.uniform() > 0.45f) return;
  int hairs = 1 + static_cast<int>(gen.integer(8));
  for (int h = 0; h < hairs; ++h) {
    float x0 = gen.uniform(0.0f, float(width)), y0 = gen.uniform(0.0f, float(height));
    float x2 = x0 + gen.uniform(-120.0f, 120.0f), y2 = y0 + gen.uniform(-90.0f, 90.0f);
    float x1 = 0.5f * (x0 + x2) + gen.uniform(-30.0f, 30.0f), y1 = 0.5f * (y0 + y2) + gen.uniform(-30.0f, 30.0f);
    float radius = gen.uniform(0.5f, 1.1f), darkness = gen.uniform(0.55f, 0.85f);
    float length = std::hypot(x2 - x0, y2 - y0) + 1.0f;
    int steps = static_cast<int>(length * 2);
    for (int s = 0; s <= steps; ++s) {
      float t = float(s) / float(steps), a = (1 - t) * (1 - t), b = 2 * (1 - t) * t, c = t * t;
      float x = a * x0 + b * x1 + c * x2, y = a * y0 + b * y1 + c * y2;
      for (int64_t py = static_cast<int64_t>(y - 2); py <= static_cast<int64_t>(y + 2); ++py)
        for (int64_t px = static_cast<int64_t>(x - 2); px <= static_cast<int64_t>(x + 2); ++px) {
          if (py < 0 || px < 0 || py >= height || px >= width) continue;
          float cover = smoothstep(radius + 0.7f, radius - 0.3f, std::hypot(px + 0.5f - x, py + 0.5f - y));
          float* p = rgb.data() + (py * width + px) * 3;
          float target[3] = {38, 28, 24};
          for (int ch = 0; ch < 3; ++ch) p[ch] = std::min(p[ch], p[ch] + (target[ch] - p[ch]) * cover * darkness);
        }
    }
  }
}

}  // namespace

SynthImage draw_lesion(const LesionLook& look, const View& view, int64_t height, int64_t width) {
  Marks marks = place_marks(look);
  Generator gen(view.seed);
  SynthImage out{data::Image(height, width, 3), data::Image(height, width, 1)};
  std::vector<float> rgb(static_cast<size_t>(height * width * 3));

  float radius_px = look.radius * view.scale * float(height);
  float cx = view.centre_x * float(width), cy = view.centre_y * float(height);
  float cos_a = std::cos(view.angle), sin_a = std::sin(view.angle);
  uint64_t skin_seed = view.seed ^ 0x5a5a5a5aull;
  for (int64_t y = 0; y < height; ++y) {
    for (int64_t x = 0; x < width; ++x) {
      float mottle = fbm(x / 38.0f, y / 38.0f, skin_seed, 2) - 0.5f;
      Rgb skin = {look.skin[0] * (1 + 0.10f * mottle), look.skin[1] * (1 + 0.12f * mottle), look.skin[2] * (1 + 0.12f * mottle)};
      // The lesion frame: centred, turned, and the ellipse made round.
      float dx = (x + 0.5f - cx) / radius_px, dy = (y + 0.5f - cy) / radius_px;
      float u = cos_a * dx + sin_a * dy, v = (-sin_a * dx + cos_a * dy) / look.elongation;
      float rho = std::sqrt(u * u + v * v);
      float* p = rgb.data() + (y * width + x) * 3;
      if (rho > marks.max_outline * (1 + look.edge)) {  // clear of the lesion: skin only
        for (int ch = 0; ch < 3; ++ch) p[ch] = skin[static_cast<size_t>(ch)] * view.light;
        continue;
      }
      float theta = std::atan2(v, u);
      int step = static_cast<int>((theta + kPi) / (2 * kPi) * kOutlineSteps) % kOutlineSteps;
      float outline = marks.outline[static_cast<size_t>(step)];
      float d = rho / outline;
      float alpha = smoothstep(1 + look.edge * 0.5f, 1 - look.edge * 0.5f, d);
      Rgb c = skin;
      if (alpha > 0) c = mix(skin, lesion_colour(look, marks, u, v, d, rho, outline), alpha);
      for (int ch = 0; ch < 3; ++ch) p[ch] = c[static_cast<size_t>(ch)] * view.light;
      out.mask.pixels[static_cast<size_t>(y * width + x)] = d <= 1.0f ? 255 : 0;
    }
  }
  draw_hair(rgb, height, width, gen);

  // Vignetting (and, on some images, the dark ring of the dermoscope), then sensor noise.
  float vignette = gen.uniform(0.08f, 0.35f);
  bool ring = gen.uniform() < 0.25f;
  float ring_radius = gen.uniform(0.95f, 1.15f);
  float noise = gen.uniform(2.0f, 6.0f);
  uint64_t noise_seed = gen.next_u64();
  float half_w = width / 2.0f, half_h = height / 2.0f, corner = std::hypot(half_w, half_h);
  for (int64_t y = 0; y < height; ++y) {
    for (int64_t x = 0; x < width; ++x) {
      float r = std::hypot(x + 0.5f - half_w, y + 0.5f - half_h) / corner;
      float factor = 1 - vignette * r * r;
      if (ring) factor *= 1 - 0.92f * smoothstep(ring_radius * 0.8f - 0.03f, ring_radius * 0.8f + 0.03f, r);
      int64_t i = y * width + x;
      for (int64_t ch = 0; ch < 3; ++ch) {
        float grain = (hash01(i, ch, noise_seed) + hash01(i, ch + 3, noise_seed) - 1.0f) * noise * 2.45f;
        float value = rgb[static_cast<size_t>(i * 3 + ch)] * factor + grain;
        out.image.pixels[static_cast<size_t>(i * 3 + ch)] = static_cast<uint8_t>(std::clamp(value + 0.5f, 0.0f, 255.0f));
      }
    }
  }
  return out;
}

}  // namespace hito::study
