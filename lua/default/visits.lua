-- visits.lua -- 拜访类型与必拍照片 / Visit types and required photos.
--
-- 三必拍: storefront 门头照, shelf 货架陈列图, intent_page 意向书签字页.

photos = {
  storefront  = { name = "门头照",       name_en = "Storefront" },
  shelf       = { name = "货架陈列图",   name_en = "Shelf display" },
  intent_page = { name = "意向书签字页", name_en = "Signed intent page" },
  equipment   = { name = "设备现场照",   name_en = "Equipment on site" },
}

visit_types = {
  store_visit    = { name = "门店拜访", name_en = "Store visit",
                     photos = { "storefront", "shelf", "intent_page" } },
  hospital_visit = { name = "医院拜访", name_en = "Hospital visit",
                     photos = { "storefront", "intent_page" } },
  installation   = { name = "安装回访", name_en = "Installation follow-up",
                     photos = { "equipment" } },
  -- 督导巡店: a supervisor's visit to a store of the chain (stores.h)
  store_patrol   = { name = "督导巡店", name_en = "Store patrol",
                     photos = { "storefront", "shelf" } },
}

-- The test checks that each visit type asks for the photos listed above,
-- whichever they are (change them here or in the rules form).
test{ name = "门店拜访要求所列的必拍照片", fn = "required_photos",
      input = { visit_type = "store_visit" },
      check = function(got)
        local want, have = {}, {}
        for _, k in ipairs(visit_types.store_visit.photos or {}) do
          want[#want + 1] = k
        end
        for _, p in ipairs(got or {}) do
          have[#have + 1] = p.key
        end
        table.sort(want)
        table.sort(have)
        return table.concat(want, ",") == table.concat(have, ","),
               "应当要求：" .. table.concat(want, ",")
      end }
