// Names a citizen reads for codes the manifest carries: languages and the seeded categories. Used by
// the slides (stage.js) and the emergency overlay (render.js).

export const LANGUAGE_NAMES = {
  vi: 'Tiếng Việt', km: 'Tiếng Khmer', tyz: 'Tiếng Tày', blt: 'Tiếng Thái', hmn: "Tiếng H'Mông",
  rad: 'Tiếng Ê Đê', nut: 'Tiếng Nùng', cja: 'Tiếng Chăm', jra: 'Tiếng Gia Rai', bdq: 'Tiếng Ba Na',
  mtq: 'Tiếng Mường', en: 'Tiếng Anh', zh: 'Tiếng Hoa',
};

// The seeded categories (domain/categories.py); officers may add more, which the manifest names.
export const CATEGORY_NAMES = {
  local: 'Thông báo của UBND', policy_law: 'Chính sách, pháp luật', public_services: 'Dịch vụ công trực tuyến',
  disaster: 'Phòng, chống thiên tai', health: 'Y tế, phòng chống dịch', security: 'An ninh, trật tự',
  traffic: 'An toàn giao thông', environment: 'Môi trường', digital: 'Chuyển đổi số',
  culture: 'Văn hóa, di sản', good_examples: 'Gương người tốt, việc tốt',
};
