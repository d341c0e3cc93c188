"""Mel-cepstral distortion (MCD) with DTW, in numpy, after ESPnet's `evaluate_mcd.py`.

Convention (one implementation, used by the `mcd` metric):

* Analysis at the reference recording's rate; the generated audio is resampled to it (soxr).
* Frames as ESPnet: Hamming window of 1024 samples, shift 256 (64 ms / 16 ms at 16 kHz; 512 / 128 at
  8 kHz, the same 64 ms / 16 ms). Samples on the int16 scale, periodogram |X|^2 + 1e-6 (SPTK `etype=1`).
* Mel-cepstrum by frequency warping of the log spectrum (SPTK `sp2mc` on the periodogram): the real
  cepstrum of the log periodogram up to n_fft/2 (c0 halved: log|X(w)| = c0 + sum_m c_m cos(w m)), warped
  with SPTK's `freqt` recursion through the first-order all-pass of coefficient alpha. ESPnet runs SPTK's
  iterative `mcep` (UELS) on the same frames instead; both estimate the same mel-cepstrum, the warped
  log-spectrum one without the iterations (and without pysptk / pyworld).
* Order and alpha per rate: ESPnet's table (16 kHz: order 23, alpha 0.42; 22.05 kHz: 34, 0.45; 24 kHz:
  34, 0.46; 44.1 kHz: 39, 0.53; 48 kHz: 39, 0.55), plus 8 kHz: order 23, alpha 0.31 (SPTK's alpha for
  8 kHz; ESPnet has no 8 kHz entry).
* c0 (the frame's log energy) is EXCLUDED from the alignment and the distortion: coefficients 1..order.
  ESPnet's script keeps c0 (it compares all order + 1 coefficients of int16 audio), so its MCD also
  counts loudness; ours does not, so a rescaled copy scores 0.
* Exact DTW (steps (1,1), (1,0), (0,1), unweighted euclidean frame distance) where ESPnet uses fastdtw
  (radius-1 approximation of the same DTW).
* Per pair of aligned frames: 10 / ln(10) * sqrt(2 * sum_m (c_m - c'_m)^2) dB (= 10 sqrt(2) / ln 10 times
  the euclidean distance); per utterance the mean over the DTW path; the metric is the mean over
  utterances.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.spatial.distance import cdist

# rate -> (order, alpha): ESPnet's `_get_best_mcep_params`, plus 8 kHz
MCEP_PARAMS: dict[int, tuple[int, float]] = {
    8000: (23, 0.31), 16000: (23, 0.42), 22050: (34, 0.45), 24000: (34, 0.46), 44100: (39, 0.53),
    48000: (39, 0.55),
}
N_FFT, N_SHIFT = 1024, 256  # ESPnet's defaults, at >= 16 kHz
EPS = 1e-6  # added to the periodogram of int16-scaled samples, as SPTK's mcep with etype=1
MCD_CONSTANT = 10.0 / np.log(10.0)  # times sqrt(2 * squared distance): 10 sqrt(2) / ln 10 * distance


def analysis_params(rate: int) -> tuple[int, int, int, float]:
    """(n_fft, shift, order, alpha) for audio at `rate` Hz."""
    if rate not in MCEP_PARAMS:
        raise ValueError(f"MCD: no mel-cepstrum setting for {rate} Hz references; known: {sorted(MCEP_PARAMS)}")
    order, alpha = MCEP_PARAMS[rate]
    n_fft, shift = (N_FFT // 2, N_SHIFT // 2) if rate < 16000 else (N_FFT, N_SHIFT)
    return n_fft, shift, order, alpha


@lru_cache(maxsize=16)
def freqt_matrix(n_in: int, order: int, alpha: float) -> np.ndarray:
    """SPTK's `freqt` (cepstrum of `n_in` coefficients -> `order` + 1 warped ones) as a linear map."""
    eye = np.eye(n_in)
    g = np.zeros((order + 1, n_in))
    b = 1.0 - alpha * alpha
    for i in range(n_in - 1, -1, -1):  # the recursion feeds the input from its last coefficient
        d = g.copy()
        g[0] = eye[i] + alpha * d[0]
        if order >= 1:
            g[1] = b * d[0] + alpha * d[1]
        for j in range(2, order + 1):
            g[j] = d[j - 1] + alpha * (d[j] - g[j - 1])
    return g


def freqt(c: np.ndarray, order: int, alpha: float) -> np.ndarray:
    """Warp cepstra `c` (..., n) to `order` + 1 coefficients with all-pass `alpha` (negative alpha unwarps)."""
    return c @ freqt_matrix(c.shape[-1], order, float(alpha)).T


def mel_cepstrum(wave: np.ndarray, rate: int) -> np.ndarray:
    """Frames x (order + 1) mel-cepstrum of float samples in [-1, 1] (c0 included; see the module doc)."""
    n_fft, shift, order, alpha = analysis_params(rate)
    x = np.asarray(wave, dtype=np.float64) * 32768.0  # ESPnet reads int16
    if len(x) < n_fft:
        x = np.pad(x, (0, n_fft - len(x)))
    n_frames = (len(x) - n_fft) // shift + 1
    frames = np.lib.stride_tricks.sliding_window_view(x, n_fft)[::shift][:n_frames]
    power = np.abs(np.fft.rfft(frames * np.hamming(n_fft), axis=-1)) ** 2 + EPS
    cep = np.fft.irfft(np.log(power), n=n_fft, axis=-1)[:, : n_fft // 2 + 1]
    cep[:, 0] /= 2.0
    return freqt(cep, order, alpha)


def dtw_path(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact DTW between frame sequences (euclidean distance, steps (1,1), (1,0), (0,1)): index pairs."""
    n, m = len(x), len(y)
    dist = cdist(x, y)
    acc = np.full((n + 1, m + 1), np.inf)
    acc[0, 0] = 0.0
    for k in range(2, n + m + 1):  # anti-diagonals i + j = k, each from the two before it
        i = np.arange(max(1, k - m), min(n, k - 1) + 1)
        j = k - i
        best = np.minimum(np.minimum(acc[i - 1, j - 1], acc[i - 1, j]), acc[i, j - 1])
        acc[i, j] = dist[i - 1, j - 1] + best
    i, j, path = n, m, []
    while i > 0 and j > 0:
        path.append((i - 1, j - 1))
        steps = (acc[i - 1, j - 1], acc[i - 1, j], acc[i, j - 1])
        s = int(np.argmin(steps))  # ties go to the diagonal
        i, j = (i - 1, j - 1) if s == 0 else (i - 1, j) if s == 1 else (i, j - 1)
    pairs = np.array(path[::-1])
    return pairs[:, 0], pairs[:, 1]


def mcd_of(generated: np.ndarray, reference: np.ndarray, rate: int) -> float:
    """MCD in dB of one generated utterance against its reference, both at `rate` (c0 excluded)."""
    gen = mel_cepstrum(generated, rate)[:, 1:]
    ref = mel_cepstrum(reference, rate)[:, 1:]
    gi, ri = dtw_path(gen, ref)
    diff2 = np.sum((gen[gi] - ref[ri]) ** 2, axis=1)
    return float(np.mean(MCD_CONSTANT * np.sqrt(2.0 * diff2)))
